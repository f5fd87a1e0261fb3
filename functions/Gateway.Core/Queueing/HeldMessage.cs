using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Queueing;

/// <summary>
/// A received message the standalone listener holds until it is deleted, put back or released: what grouping needs
/// to know about it (its contact, whether its attribute updates may merge) and its current hold (pop receipt, and
/// when the hold last began).
/// </summary>
/// <remarks>
/// Renewing a hold replaces the pop receipt, and a delete with the replaced receipt fails. Storage operations on one
/// message therefore take turns (<see cref="TakeTurnAsync"/>) and read <see cref="PopReceipt"/> inside their turn.
/// </remarks>
public sealed class HeldMessage
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private string _popReceipt;
    private long _heldSinceTicks;

    private HeldMessage(string messageId, string popReceipt, string text, DateTimeOffset? insertedOn, DateTimeOffset heldSince, string? contact, bool mergeable, bool endsGroup, DateTimeOffset? acceptedAt = null)
    {
        MessageId = messageId;
        AcceptedAt = acceptedAt;
        _popReceipt = popReceipt;
        Text = text;
        InsertedOn = insertedOn;
        _heldSinceTicks = heldSince.UtcTicks;
        Contact = contact;
        Mergeable = mergeable;
        EndsGroup = endsGroup;
    }

    public string MessageId { get; }

    /// <summary>The message body: the serialized envelope.</summary>
    public string Text { get; }

    /// <summary>
    /// When the gateway accepted the operation (the envelope's <c>received</c>, to the tick): the first key of arrival
    /// order, since a queue's enqueue time has whole seconds, and a requeued message is stored anew but keeps its place.
    /// Null for an unreadable message.
    /// </summary>
    public DateTimeOffset? AcceptedAt { get; }

    /// <summary>When the queue stored it; arrival order is this time first, then the order this instance received them.</summary>
    public DateTimeOffset? InsertedOn { get; }

    /// <summary>The contact's phone number, or null when the message names no single contact (unreadable, a packed import): it stands alone.</summary>
    public string? Contact { get; }

    /// <summary>Its leading attribute updates may share one call with other messages for the contact (<see cref="AttributeCoalescer.CanMerge"/>).</summary>
    public bool Mergeable { get; }

    /// <summary>
    /// Other steps (a staff assignment) follow its attribute updates. They run after the merged call, so an update
    /// that arrived after this message must not join that call, or it would reach Libromi before the assignment.
    /// </summary>
    public bool EndsGroup { get; }

    /// <summary>Position in the order this instance received messages; set when it is held.</summary>
    public long Arrival { get; internal set; }

    public string PopReceipt => Volatile.Read(ref _popReceipt);

    /// <summary>When the current hold began: the time just before the receive or renewal that granted it was sent.</summary>
    public DateTimeOffset HeldSince => new(Interlocked.Read(ref _heldSinceTicks), TimeSpan.Zero);

    /// <summary>Deleted, put back or released: a renewal waiting for its turn has nothing left to renew.</summary>
    public bool IsSettled { get; private set; }

    /// <summary>Reads what grouping needs from the message text; an unreadable text is held as a message that stands alone.</summary>
    public static HeldMessage Read(string messageId, string popReceipt, string text, DateTimeOffset? insertedOn, DateTimeOffset heldSince)
    {
        if (!EnvelopeSerializer.TryDeserialize(text, out var envelope, out _))
        {
            return new HeldMessage(messageId, popReceipt, text, insertedOn, heldSince, contact: null, mergeable: false, endsGroup: false);
        }
        var mergeable = AttributeCoalescer.CanMerge(envelope);
        // A packed message delivers several contacts; tying it to its first one would hold that contact's line for all of them.
        var contact = envelope.Then is not { Count: > 0 } && PhoneNumber.TryParse(envelope.PhoneNumber, null, out _, out _) ? envelope.PhoneNumber : null;
        var endsGroup = mergeable && AttributeCoalescer.LeadingUpdates(envelope) < envelope.Steps.Count;
        return new HeldMessage(messageId, popReceipt, text, insertedOn, heldSince, contact, mergeable, endsGroup, envelope.ReceivedAt);
    }

    /// <summary>Whether half of the hold has passed, the point at which it is renewed.</summary>
    public bool IsRenewalDue(DateTimeOffset now, TimeSpan hold) => now - HeldSince >= hold / 2;

    /// <summary>Records a new hold: the receipt storage returned and when the request that obtained it was sent.</summary>
    public void Held(string popReceipt, DateTimeOffset at)
    {
        Volatile.Write(ref _popReceipt, popReceipt);
        Interlocked.Exchange(ref _heldSinceTicks, at.UtcTicks);
    }

    /// <summary>Marks the message as gone from this instance's hands; called inside a turn.</summary>
    public void Settle() => IsSettled = true;

    /// <summary>Waits until no other storage operation on this message is running; dispose the result to end the turn.</summary>
    public async Task<IDisposable> TakeTurnAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Turn(_turn);
    }

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                turn.Release();
            }
        }
    }
}
