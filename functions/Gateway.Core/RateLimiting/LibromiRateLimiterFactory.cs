using System.Threading.RateLimiting;
using Libromi.Gateway.Libromi;

namespace Libromi.Gateway.RateLimiting;

/// <summary>Builds the limiter that enforces both of the account's windows (per minute and per hour).</summary>
public static class LibromiRateLimiterFactory
{
    /// <summary>
    /// An in-process limiter: correct for one instance. Several instances sharing one Libromi account need a
    /// limiter whose state is shared (the fleet-wide limiter replaces this one behind the same type).
    /// </summary>
    public static RateLimiter CreateInProcess(LibromiClientOptions options, TimeProvider timeProvider) =>
        RateLimiter.CreateChained(
            new ClockedSlidingWindowLimiter(options.RequestsPerMinute, TimeSpan.FromMinutes(1), timeProvider),
            new ClockedSlidingWindowLimiter(options.RequestsPerHour, TimeSpan.FromHours(1), timeProvider));
}
