using System.Threading.RateLimiting;
using Libromi.Gateway.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Tests.RateLimiting;

public sealed class FleetRateLimiterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryLeaseSource _ledger;
    private readonly FleetRateLimiter _limiter;

    public FleetRateLimiterTests()
    {
        var limits = new LedgerLimits(PerMinute: 10, PerHour: 1000, LeaseValidity: TimeSpan.FromSeconds(5), RealtimeReservePercent: 10);
        _ledger = new InMemoryLeaseSource(limits, _clock);
        _limiter = new FleetRateLimiter(_ledger, new RateLimitOptions { MaxLease = 10, LeaseValidity = limits.LeaseValidity }, _clock, NullLogger<FleetRateLimiter>.Instance);
    }

    [Fact]
    public async Task Waiting_callers_share_one_lease_instead_of_a_round_trip_each()
    {
        // Another instance's lease (never settled) fills the ledger until 12:01:06; five callers queue up meanwhile.
        _ledger.Ledger.Lease(_clock.GetUtcNow(), 10, 0, "other");
        var waiting = Enumerable.Range(0, 5).Select(_ => _limiter.AcquireAsync(Lane.Realtime).AsTask()).ToArray();
        await WaitUntilAsync(() => _ledger.Requests.Count >= 1);

        _clock.Advance(TimeSpan.FromSeconds(67));
        var leases = await Task.WhenAll(waiting).WaitAsync(Patience);

        Assert.All(leases, lease => Assert.True(lease.IsAcquired));
        Assert.Equal(5, _ledger.Requests[^1].Realtime);
        Assert.True(_ledger.Requests.Count <= 2, $"{_ledger.Requests.Count} round trips for 5 permits");
    }

    [Fact]
    public async Task Realtime_waiters_go_before_bulk_waiters_and_bulk_leaves_the_reserve()
    {
        var now = _clock.GetUtcNow();
        _ledger.Ledger.Lease(now, 1, 0, "other-1");
        _ledger.Ledger.Lease(now.AddSeconds(10), 9, 0, "other-2");
        _clock.Advance(TimeSpan.FromSeconds(20));
        var bulk = Enumerable.Range(0, 3).Select(_ => _limiter.AcquireAsync(Lane.Bulk).AsTask()).ToArray();
        await WaitUntilAsync(() => _ledger.Requests.Count >= 1);
        var realtime = _limiter.AcquireAsync(Lane.Realtime).AsTask();

        // 12:01:06: the first permit leaves the window; realtime takes it, bulk must leave it as the reserve.
        _clock.Advance(TimeSpan.FromSeconds(47));

        Assert.True((await realtime.WaitAsync(Patience)).IsAcquired);
        Assert.All(bulk, task => Assert.False(task.IsCompleted));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.All(await Task.WhenAll(bulk).WaitAsync(Patience), lease => Assert.True(lease.IsAcquired));
    }

    [Fact]
    public async Task A_pause_in_the_ledger_refuses_waiters_with_the_time_left()
    {
        _ledger.Ledger.Pause(_clock.GetUtcNow().AddSeconds(30), "429 from Libromi");

        var lease = await _limiter.AcquireAsync(Lane.Bulk).AsTask().WaitAsync(Patience);

        Assert.False(lease.IsAcquired);
        Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);
        Assert.True(lease.TryGetMetadata(FleetRateLimiter.PausedUntil, out var pausedUntil));
        Assert.Equal(_clock.GetUtcNow().AddSeconds(30), pausedUntil);
    }

    [Fact]
    public async Task Leased_permits_are_not_used_after_the_lease_expires()
    {
        _ledger.Ledger.Lease(_clock.GetUtcNow(), 10, 0, "other");
        var first = _limiter.AcquireAsync(Lane.Realtime).AsTask();
        var second = _limiter.AcquireAsync(Lane.Realtime).AsTask();
        await WaitUntilAsync(() => _ledger.Requests.Count >= 1);
        _clock.Advance(TimeSpan.FromSeconds(67));
        await Task.WhenAll(first, second).WaitAsync(Patience);
        var third = _limiter.AcquireAsync(Lane.Realtime).AsTask();
        await WaitUntilAsync(() => third.IsCompleted);

        // The ledger has 7 left for 5 s; past the lease nothing local remains.
        _ledger.Ledger.Lease(_clock.GetUtcNow(), 7, 0, "other-2");
        _clock.Advance(TimeSpan.FromSeconds(5));

        Assert.False(_limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public async Task The_next_request_settles_the_finished_lease_with_the_permits_used_and_the_last_hand_out()
    {
        var usedAt = _clock.GetUtcNow();
        Assert.True((await _limiter.AcquireAsync(Lane.Realtime).AsTask().WaitAsync(Patience)).IsAcquired);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True((await _limiter.AcquireAsync(Lane.Realtime).AsTask().WaitAsync(Patience)).IsAcquired);

        Assert.Null(_ledger.Requests[0].Settlement);
        Assert.Equal(new LeaseSettlement("lease-1", 1, usedAt), _ledger.Requests[1].Settlement);
        // Counted from its use, not from the lease's expiry 5 s later.
        _ledger.Ledger.Lease(_clock.GetUtcNow(), 8, 0, "other");
        var full = Assert.IsType<LeaseDecision.Full>(_ledger.Ledger.Lease(_clock.GetUtcNow(), 1, 0, "probe"));
        Assert.Equal(usedAt + RateLedger.MinuteWindow, full.RetryAt);
    }

    [Fact]
    public async Task A_settlement_is_reported_again_until_a_grant_records_it()
    {
        Assert.True((await _limiter.AcquireAsync(Lane.Realtime).AsTask().WaitAsync(Patience)).IsAcquired);
        _ledger.Ledger.Lease(_clock.GetUtcNow(), 9, 0, "other");
        _clock.Advance(TimeSpan.FromSeconds(1));

        var waiting = _limiter.AcquireAsync(Lane.Realtime).AsTask();
        await WaitUntilAsync(() => _ledger.Requests.Count >= 2);
        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.True((await waiting.WaitAsync(Patience)).IsAcquired);

        // The ledger was full at the first report (the shared store writes nothing then), so the grant carries it again.
        Assert.Equal(3, _ledger.Requests.Count);
        Assert.NotNull(_ledger.Requests[1].Settlement);
        Assert.Equal(_ledger.Requests[1].Settlement, _ledger.Requests[2].Settlement);
    }

    [Fact]
    public async Task Nothing_is_granted_while_the_ledger_is_unreachable()
    {
        _ledger.Failure = new HttpRequestException("storage is down");
        using var giveUp = new CancellationTokenSource();

        var waiting = _limiter.AcquireAsync(Lane.Realtime, giveUp.Token).AsTask();
        await WaitUntilAsync(() => _ledger.Requests.Count >= 1);
        // The limiter starts its retry delay only after logging the failure: keep the clock moving until it retries.
        var deadline = DateTime.UtcNow + Patience;
        while (_ledger.Requests.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the limiter did not retry");
            _clock.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(10);
        }

        Assert.False(waiting.IsCompleted);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.False(_limiter.AttemptAcquire().IsAcquired);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
