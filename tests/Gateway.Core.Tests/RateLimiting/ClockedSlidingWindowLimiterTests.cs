using Libromi.Gateway.Libromi;
using Libromi.Gateway.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.RateLimiting;

public sealed class ClockedSlidingWindowLimiterTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Permits_beyond_the_limit_are_refused_within_the_window()
    {
        using var limiter = new ClockedSlidingWindowLimiter(5, TimeSpan.FromMinutes(1), _clock);

        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.AttemptAcquire().IsAcquired);
        }

        Assert.False(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public void A_permit_returns_no_sooner_than_one_full_window_after_it_was_taken()
    {
        using var limiter = new ClockedSlidingWindowLimiter(5, TimeSpan.FromMinutes(1), _clock);
        // Take the permits at the very end of a segment, the worst case for a segmented window.
        _clock.Advance(TimeSpan.FromMilliseconds(499));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.AttemptAcquire().IsAcquired);
        }

        _clock.Advance(TimeSpan.FromSeconds(59.9));
        Assert.False(limiter.AttemptAcquire().IsAcquired);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public async Task A_queued_request_is_granted_when_the_window_slides()
    {
        using var limiter = new ClockedSlidingWindowLimiter(1, TimeSpan.FromMinutes(1), _clock);
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
}
