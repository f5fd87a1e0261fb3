using System.Text.Json;

namespace Libromi.Simulator.Contacts;

/// <summary>A contact's most recent conversation and who it is assigned to.</summary>
public sealed record ConversationSnapshot(long Id, string State, StaffMember? AssignedStaff, DateTimeOffset? AssignedAt);

/// <summary>An immutable copy of a contact, safe to serialise while other requests change the store.</summary>
public sealed record ContactSnapshot(
    long Id,
    string Name,
    string PhoneNumber,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyDictionary<string, JsonElement> Attributes,
    ConversationSnapshot? Conversation);

/// <summary>
/// The contacts of the one simulated company (every token belongs to it), keyed by normalised phone
/// number. One lock guards everything: contention is irrelevant at simulator scale and a single lock
/// makes every operation trivially atomic.
/// </summary>
public sealed class ContactStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ContactRecord> _contacts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _configuredWithConversations;
    private readonly bool _allContactsHaveConversations;
    private readonly SimulatorClock _clock;
    private long _lastContactId;
    private long _lastConversationId;

    public ContactStore(SimulatorOptions options, SimulatorClock clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock;
        _allContactsHaveConversations = options.AllContactsHaveConversations;
        _configuredWithConversations = options.ContactsWithConversations
            .Select(PhoneDigits.Normalise)
            .Where(digits => digits.Length > 0)
            .ToHashSet(StringComparer.Ordinal);
        Reset();
    }

    /// <summary>Libromi's get-or-create: a phone number never seen before becomes a new contact.</summary>
    public ContactSnapshot GetOrCreate(string digits)
    {
        lock (_gate)
        {
            return GetOrCreateLocked(digits).ToSnapshot();
        }
    }

    public ContactSnapshot? Find(string digits)
    {
        lock (_gate)
        {
            return _contacts.GetValueOrDefault(digits)?.ToSnapshot();
        }
    }

    public IReadOnlyList<ContactSnapshot> All()
    {
        lock (_gate)
        {
            return [.. _contacts.Values.OrderBy(contact => contact.Id).Select(contact => contact.ToSnapshot())];
        }
    }

    /// <summary>Applies validated changes (null removes) in one step; creates the contact if missing, as Libromi does.</summary>
    public ContactSnapshot UpdateAttributes(string digits, IReadOnlyDictionary<string, JsonElement?> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_gate)
        {
            var contact = GetOrCreateLocked(digits);
            foreach (var (name, value) in changes)
            {
                if (value is { } set)
                {
                    contact.Attributes[name] = set;
                }
                else
                {
                    contact.Attributes.Remove(name);
                }
            }

            if (changes.Count > 0)
            {
                contact.UpdatedAt = _clock.UtcNow;
            }

            return contact.ToSnapshot();
        }
    }

    /// <summary>Reassigns the contact's conversation; null when the contact or its conversation is gone.</summary>
    public ContactSnapshot? AssignStaff(string digits, StaffMember staff)
    {
        lock (_gate)
        {
            if (_contacts.GetValueOrDefault(digits) is not { Conversation: { } conversation } contact)
            {
                return null;
            }

            conversation.AssignedStaff = staff;
            conversation.AssignedAt = _clock.UtcNow;
            contact.UpdatedAt = conversation.AssignedAt.Value;
            return contact.ToSnapshot();
        }
    }

    /// <summary>Gives the contact (created if missing) a conversation, as if it had messaged the business.</summary>
    public ContactSnapshot SeedConversation(string digits)
    {
        lock (_gate)
        {
            var contact = GetOrCreateLocked(digits);
            contact.Conversation ??= new ConversationRecord(++_lastConversationId);
            return contact.ToSnapshot();
        }
    }

    /// <summary>Forgets every contact and re-creates the configured ones with their conversations.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _contacts.Clear();
            _lastContactId = 0;
            _lastConversationId = 0;
            foreach (var digits in _configuredWithConversations)
            {
                GetOrCreateLocked(digits);
            }
        }
    }

    private ContactRecord GetOrCreateLocked(string digits)
    {
        if (_contacts.TryGetValue(digits, out var existing))
        {
            return existing;
        }

        var now = _clock.UtcNow;
        var contact = new ContactRecord(++_lastContactId, digits, now);
        if (_allContactsHaveConversations || _configuredWithConversations.Contains(digits))
        {
            contact.Conversation = new ConversationRecord(++_lastConversationId);
        }

        _contacts.Add(digits, contact);
        return contact;
    }

    private sealed class ContactRecord(long id, string digits, DateTimeOffset createdAt)
    {
        public long Id { get; } = id;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public Dictionary<string, JsonElement> Attributes { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset UpdatedAt { get; set; } = createdAt;

        public ConversationRecord? Conversation { get; set; }

        // Libromi names a contact created on the fly after its number; nothing else is known about it.
        public ContactSnapshot ToSnapshot() => new(
            Id,
            digits,
            digits,
            CreatedAt,
            UpdatedAt,
            new Dictionary<string, JsonElement>(Attributes.OrderBy(pair => pair.Key, StringComparer.Ordinal), StringComparer.Ordinal),
            Conversation?.ToSnapshot());
    }

    private sealed class ConversationRecord(long id)
    {
        public StaffMember? AssignedStaff { get; set; }

        public DateTimeOffset? AssignedAt { get; set; }

        public ConversationSnapshot ToSnapshot() => new(id, "open", AssignedStaff, AssignedAt);
    }
}
