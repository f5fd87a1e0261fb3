using Libromi.Gateway.Libromi;

namespace Libromi.Gateway.RateLimiting;

/// <summary>Builds the limiter that enforces both of the account's windows (per minute and per hour).</summary>
public static class LibromiRateLimiterFactory
{
    /// <summary>
    /// Safety margin added to each window. A call granted at t reaches Libromi at t + latency; with uneven
    /// latency two calls granted exactly one window apart could land inside one of Libromi's windows.
    /// One second costs 1.6% of the per-minute rate and 0.03% of the hourly one.
    /// </summary>
    public static readonly TimeSpan WindowMargin = TimeSpan.FromSeconds(1);

    /// <summary>
    /// An in-process limiter: correct for one instance. Several instances sharing one Libromi account need a
    /// limiter whose state is shared (the fleet-wide limiter replaces this one behind the same type).
    /// </summary>
    public static LaneRateLimiter CreateInProcess(LibromiClientOptions options, TimeProvider timeProvider) =>
        new AccountWindows(
            new SlidingWindowLogLimiter(options.RequestsPerMinute, TimeSpan.FromMinutes(1) + WindowMargin, timeProvider),
            new SlidingWindowLogLimiter(options.RequestsPerHour, TimeSpan.FromHours(1) + WindowMargin, timeProvider));
}
