namespace Libromi.Gateway.Queueing;

/// <summary>
/// Held messages that start together: attribute updates for one contact, delivered as one merged call when there
/// are several, or one message alone.
/// </summary>
public sealed class MessageGroup
{
    private readonly List<HeldMessage> _messages;
    private bool _acceptsMore;

    internal MessageGroup(HeldMessage first, bool acceptsMore)
    {
        Contact = first.Contact;
        _messages = [first];
        _acceptsMore = acceptsMore;
    }

    /// <summary>The contact whose line the group stands in; null for a message that stands alone.</summary>
    public string? Contact { get; }

    /// <summary>In arrival order: when the gateway accepted them, then enqueue time, then the order this instance received them.</summary>
    public IReadOnlyList<HeldMessage> Messages => _messages;

    public bool IsStarted { get; private set; }

    /// <summary>Takes later attribute updates for its contact: not started, and no member has steps after its updates.</summary>
    public bool IsOpen => _acceptsMore && !IsStarted;

    /// <summary>Arrival of the group's oldest message, by which waiting groups take turns.</summary>
    internal (DateTimeOffset AcceptedAt, DateTimeOffset InsertedOn, long Arrival) FirstArrival => ArrivalOf(_messages[0]);

    internal void Join(HeldMessage message)
    {
        var position = _messages.FindIndex(held => ArrivalOf(held).CompareTo(ArrivalOf(message)) > 0);
        _messages.Insert(position < 0 ? _messages.Count : position, message);
        _acceptsMore &= !message.EndsGroup;
    }

    internal bool Remove(HeldMessage message) => _messages.Remove(message);

    internal void Start() => IsStarted = true;

    // Acceptance times order updates made in one second (enqueue times have whole seconds) and keep a requeued message's
    // place; enqueue time and then the receive order break ties (and order a message without them last).
    private static (DateTimeOffset, DateTimeOffset, long) ArrivalOf(HeldMessage message) =>
        (message.AcceptedAt ?? DateTimeOffset.MaxValue, message.InsertedOn ?? DateTimeOffset.MaxValue, message.Arrival);
}
