using Libromi.Gateway.Operations;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// A limiter's waiters in their two lanes, each lane in arrival order. It takes no lock of its own: the limiter uses
/// it under the lock it passes to <see cref="Enqueue"/>, the one a cancelled waiter takes to leave its lane.
/// Which lane is served next is the limiter's policy; this type only keeps the queues.
/// </summary>
internal sealed class LaneWaiters
{
    private readonly LinkedList<PermitWaiter> _realtime = new();
    private readonly LinkedList<PermitWaiter> _bulk = new();

    public int RealtimeCount => _realtime.Count;

    public int BulkCount => _bulk.Count;

    public int Count => _realtime.Count + _bulk.Count;

    /// <summary>The lane whose first waiter goes next when realtime always goes first; null when none waits.</summary>
    public Lane? RealtimeFirstLane => _realtime.Count > 0 ? Lane.Realtime : _bulk.Count > 0 ? Lane.Bulk : null;

    /// <summary>Queues a waiter at the end of its lane (see <see cref="PermitWaiter.Enqueue"/>); call it holding <paramref name="gate"/>.</summary>
    public PermitWaiter Enqueue(Lane lane, int permitCount, Lock gate, Action<PermitWaiter> onCancelled, CancellationToken cancellationToken) =>
        PermitWaiter.Enqueue(Queue(lane), permitCount, gate, onCancelled, cancellationToken);

    /// <summary>The first waiter of <paramref name="lane"/>, which must not be empty.</summary>
    public PermitWaiter Peek(Lane lane) => Queue(lane).First!.Value;

    /// <summary>Takes the first waiter of <paramref name="lane"/>, which must not be empty; its cancellation no longer finds it.</summary>
    public PermitWaiter Dequeue(Lane lane)
    {
        var queue = Queue(lane);
        var first = queue.First!.Value;
        queue.RemoveFirst();
        return first;
    }

    /// <summary>Takes every waiter, realtime ones first, leaving both lanes empty; the limiter completes them outside its lock.</summary>
    public List<PermitWaiter> TakeAll()
    {
        List<PermitWaiter> all = [.. _realtime, .. _bulk];
        _realtime.Clear();
        _bulk.Clear();
        return all;
    }

    private LinkedList<PermitWaiter> Queue(Lane lane) => lane == Lane.Realtime ? _realtime : _bulk;
}
