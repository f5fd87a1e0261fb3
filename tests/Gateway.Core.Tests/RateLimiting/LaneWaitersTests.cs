using Libromi.Gateway.Operations;
using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.Tests.RateLimiting;

public sealed class LaneWaitersTests
{
    private readonly Lock _gate = new();
    private readonly LaneWaiters _waiters = new();

    [Fact]
    public void Realtime_lane_goes_first_while_it_has_waiters_then_bulk_then_none()
    {
        var bulk = Enqueue(Lane.Bulk);
        var realtime = Enqueue(Lane.Realtime);

        Assert.Equal(Lane.Realtime, _waiters.RealtimeFirstLane);
        Assert.Same(realtime, _waiters.Dequeue(Lane.Realtime));
        Assert.Equal(Lane.Bulk, _waiters.RealtimeFirstLane);
        Assert.Same(bulk, _waiters.Peek(Lane.Bulk));
        Assert.Same(bulk, _waiters.Dequeue(Lane.Bulk));
        Assert.Null(_waiters.RealtimeFirstLane);
        Assert.Equal(0, _waiters.Count);
    }

    [Fact]
    public void Each_lane_keeps_arrival_order()
    {
        var first = Enqueue(Lane.Bulk);
        var second = Enqueue(Lane.Bulk);

        Assert.Same(first, _waiters.Dequeue(Lane.Bulk));
        Assert.Same(second, _waiters.Dequeue(Lane.Bulk));
    }

    [Fact]
    public void Taking_all_empties_both_lanes_realtime_first()
    {
        var bulk = Enqueue(Lane.Bulk);
        var realtime = Enqueue(Lane.Realtime);

        Assert.Equal([realtime, bulk], _waiters.TakeAll());
        Assert.Equal(0, _waiters.RealtimeCount);
        Assert.Equal(0, _waiters.BulkCount);
    }

    [Fact]
    public async Task Cancelled_waiter_leaves_its_lane_and_reports_it_once()
    {
        using var cancel = new CancellationTokenSource();
        var cancelled = new List<PermitWaiter>();
        var waiter = _waiters.Enqueue(Lane.Realtime, 1, _gate, cancelled.Add, cancel.Token);
        var other = Enqueue(Lane.Realtime);

        await cancel.CancelAsync();

        Assert.Equal([waiter], cancelled);
        Assert.Equal(1, _waiters.RealtimeCount);
        Assert.Same(other, _waiters.Peek(Lane.Realtime));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiter.Lease);
    }

    [Fact]
    public async Task Waiter_taken_before_its_cancellation_is_not_reported_as_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var cancelled = new List<PermitWaiter>();
        _waiters.Enqueue(Lane.Bulk, 1, _gate, cancelled.Add, cancel.Token);

        var taken = _waiters.TakeAll();
        await cancel.CancelAsync();

        Assert.Single(taken);
        Assert.Empty(cancelled);
    }

    private PermitWaiter Enqueue(Lane lane) => _waiters.Enqueue(lane, 1, _gate, _ => { }, CancellationToken.None);
}
