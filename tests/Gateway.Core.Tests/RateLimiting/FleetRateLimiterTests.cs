using System.Threading.RateLimiting;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

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
        // The ledger is full until 12:01:07; five callers queue up meanwhile.
        _ledger.Ledger.Lease(_clock.GetUtcNow(), 10, 0);
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
        _ledger.Ledger.Lease(now, 1, 0);
        _ledger.Ledger.Lease(now.AddSeconds(10), 9, 0);
        _clock.Advance(TimeSpan.FromSeconds(20));
        var bulk = Enumerable.Range(0, 3).Select(_ => _limiter.AcquireAsync(Lane.Bulk).AsTask()).ToArray();
        await WaitUntilAsync(() => _ledger.Requests.Count >= 1);
        var realtime = _limiter.AcquireAsync(Lane.Realtime).AsTask();

        // 12:01:07: the first permit leaves the window; realtime takes it, bulk must leave it as the reserve.
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
        _ledger.Ledger.Lease(_clock.GetUtcNow(), 10, 0);
        var first = _limiter.AcquireAsync(Lane.Realtime).AsTask();
        var second = _limiter.AcquireAsync(Lane.Realtime).AsTask();
        await WaitUntilAsync(() => _ledger.Requests.Count >= 1);
        _clock.Advance(TimeSpan.FromSeconds(67));
        await Task.WhenAll(first, second).WaitAsync(Patience);
        var third = _limiter.AcquireAsync(Lane.Realtime).AsTask();
        await WaitUntilAsync(() => third.IsCompleted);

        // The ledger has 7 left for 5 s; past the lease nothing local remains.
        _ledger.Ledger.Lease(_clock.GetUtcNow(), 7, 0);
        _clock.Advance(TimeSpan.FromSeconds(5));

        Assert.False(_limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public async Task Nothing_is_granted_while_the_ledger_is_unreachable()
    {
        _ledger.Failure = new HttpRequestException("storage is down");
        using var giveUp = new CancellationTokenSource();

        var waiting = _limiter.AcquireAsync(Lane.Realtime, giveUp.Token).AsTask();
        await WaitUntilAsync(() => _ledger.Requests.Count >= 1);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => _ledger.Requests.Count >= 2);

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
