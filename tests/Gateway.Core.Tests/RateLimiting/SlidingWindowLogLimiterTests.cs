using Libromi.Gateway.Libromi;
using Libromi.Gateway.Operations;
using Libromi.Gateway.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.RateLimiting;

public sealed class SlidingWindowLogLimiterTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Permits_beyond_the_limit_are_refused_within_the_window()
    {
        using var limiter = new SlidingWindowLogLimiter(5, TimeSpan.FromMinutes(1), _clock);

        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.AttemptAcquire().IsAcquired);
        }

        Assert.False(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public void A_permit_returns_exactly_one_window_after_it_was_taken()
    {
        using var limiter = new SlidingWindowLogLimiter(2, TimeSpan.FromMinutes(1), _clock);
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(limiter.AttemptAcquire().IsAcquired);

        _clock.Advance(TimeSpan.FromSeconds(29.999));
        var refused = limiter.AttemptAcquire();
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(1), retryAfter);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        // The second permit was taken at 30 s: it is still in the window.
        Assert.False(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public async Task Queued_requests_are_served_in_arrival_order_as_permits_expire()
    {
        using var limiter = new SlidingWindowLogLimiter(1, TimeSpan.FromMinutes(1), _clock);
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        var first = limiter.AcquireAsync(1).AsTask();
        var second = limiter.AcquireAsync(1).AsTask();

        _clock.Advance(TimeSpan.FromSeconds(60));
        Assert.True((await first).IsAcquired);
        Assert.False(second.IsCompleted);

        _clock.Advance(TimeSpan.FromSeconds(60));
        Assert.True((await second).IsAcquired);
    }

    [Fact]
    public async Task A_cancelled_wait_gives_its_place_to_the_next_request()
    {
        using var limiter = new SlidingWindowLogLimiter(1, TimeSpan.FromMinutes(1), _clock);
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        using var cancel = new CancellationTokenSource();
        var cancelled = limiter.AcquireAsync(1, cancel.Token).AsTask();
        var next = limiter.AcquireAsync(1).AsTask();

        await cancel.CancelAsync();
        _clock.Advance(TimeSpan.FromSeconds(60));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.True((await next).IsAcquired);
    }

    [Fact]
    public async Task A_queued_request_is_granted_when_the_window_slides()
    {
        using var limiter = new SlidingWindowLogLimiter(1, TimeSpan.FromMinutes(1), _clock);
        Assert.True(limiter.AttemptAcquire().IsAcquired);

        var waiting = limiter.AcquireAsync(1).AsTask();
        Assert.False(waiting.IsCompleted);

        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.True((await waiting).IsAcquired);
    }

    [Fact]
    public void The_account_limiter_enforces_the_hourly_window_as_well_as_the_minute()
    {
        using var limiter = LibromiRateLimiterFactory.CreateInProcess(new LibromiClientOptions { RequestsPerMinute = 10, RequestsPerHour = 15 }, _clock);

        var granted = 0;
        for (var minute = 0; minute < 5; minute++)
        {
            while (limiter.AttemptAcquire().IsAcquired)
            {
                granted++;
            }
            _clock.Advance(TimeSpan.FromSeconds(61));
        }

        // 10 in the first minute, 5 more in the second, then the hour is spent.
        Assert.Equal(15, granted);
    }

    [Fact]
    public async Task The_instance_scope_limiter_serves_a_realtime_waiter_before_earlier_bulk_waiters()
    {
        using var limiter = LibromiRateLimiterFactory.CreateInProcess(new LibromiClientOptions { RequestsPerMinute = 1, RequestsPerHour = 100 }, _clock);
        Assert.True((await limiter.AcquireAsync(Lane.Bulk)).IsAcquired);
        var firstBulk = limiter.AcquireAsync(Lane.Bulk).AsTask();
        var secondBulk = limiter.AcquireAsync(Lane.Bulk).AsTask();
        var realtime = limiter.AcquireAsync(Lane.Realtime).AsTask();

        _clock.Advance(TimeSpan.FromMinutes(1) + LibromiRateLimiterFactory.WindowMargin);
        Assert.True((await realtime.WaitAsync(TimeSpan.FromSeconds(10))).IsAcquired);
        Assert.False(firstBulk.IsCompleted);
        Assert.False(secondBulk.IsCompleted);

        _clock.Advance(TimeSpan.FromMinutes(1) + LibromiRateLimiterFactory.WindowMargin);
        Assert.True((await firstBulk.WaitAsync(TimeSpan.FromSeconds(10))).IsAcquired);
        Assert.False(secondBulk.IsCompleted);
    }

    [Fact]
    public void A_realtime_forecast_does_not_count_the_bulk_waiters_queued_ahead()
    {
        using var limiter = new SlidingWindowLogLimiter(1, TimeSpan.FromMinutes(1), _clock);
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        _ = limiter.AcquireAsync(Lane.Bulk);
        _ = limiter.AcquireAsync(Lane.Bulk);
        _clock.Advance(TimeSpan.FromSeconds(30));

        // Realtime waits only for the permit taken 30 s ago; bulk waits behind two queued bulk requests, a window at least.
        Assert.Equal(TimeSpan.FromSeconds(30), limiter.NextPermitIn(Lane.Realtime));
        Assert.Equal(TimeSpan.FromMinutes(1), limiter.NextPermitIn(Lane.Bulk));
    }
}
