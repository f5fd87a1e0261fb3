using System.Collections.Concurrent;

namespace Libromi.Gateway.Libromi;

/// <summary>
/// The account's attribute definitions as far as this instance has seen them. Libromi has no endpoint that lists
/// them (docs/libromi-api.md), so they are learned from the contact answers the gateway reads anyway
/// (<see cref="LibromiClient"/> feeds every successful contact answer here) and from a sample contact an author
/// names in a dry run. An attribute never seen is unknown, which is not the same as wrong.
/// </summary>
/// <remarks>
/// Kept in memory, per instance: the definitions are a few dozen small records, learning them costs no extra call
/// (they ride on answers the gateway receives anyway), and a dry run that names a sample contact learns them on the
/// spot, on the instance that serves it. Shared storage would add a write to the delivery path and a read to every dry
/// run for a hint that is never authoritative (an author may retype an attribute in Libromi at any time). The cost:
/// a restarted instance, or one that has not yet delivered for the account, knows nothing until a sample contact is
/// named. Bounded, so an account with unusually many attributes cannot grow it without limit.
/// </remarks>
public sealed class AttributeTypeCatalog(TimeProvider timeProvider)
{
    /// <summary>More attributes than any Libromi account is likely to define; past it, new names are not cached.</summary>
    public const int MaxAttributes = 2_000;

    private readonly ConcurrentDictionary<string, LearnedAttribute> _attributes = new(StringComparer.Ordinal);

    /// <summary>Remembers <paramref name="definitions"/>; a definition seen again replaces the older one.</summary>
    public void Learn(IEnumerable<AttributeDefinition> definitions)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var definition in definitions)
        {
            if (_attributes.Count >= MaxAttributes && !_attributes.ContainsKey(definition.Name))
            {
                continue;
            }
            _attributes[definition.Name] = new LearnedAttribute(definition, now);
        }
    }

    /// <summary>Learns from a contact answer's body (see <see cref="AttributeDefinition.ReadFromContactAnswer"/>); returns how many definitions it held.</summary>
    public int LearnFromContactAnswer(string? answer)
    {
        var definitions = AttributeDefinition.ReadFromContactAnswer(answer);
        Learn(definitions);
        return definitions.Count;
    }

    /// <summary>The definition last seen for <paramref name="name"/> (names are matched exactly, as Libromi keys them).</summary>
    public bool TryGet(string name, out LearnedAttribute learned) => _attributes.TryGetValue(name, out learned!);

    public int Count => _attributes.Count;
}

/// <summary>A definition and when this instance last saw it.</summary>
public sealed record LearnedAttribute(AttributeDefinition Definition, DateTimeOffset SeenAt);
