using System.Threading.RateLimiting;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// The contract of every limiter the gateway sends through: a permit is asked for in a lane, realtime waiters are
/// served before bulk ones, and the limiter forecasts how soon a lane's next permit comes. The gates and the drain
/// depend on this type rather than on <see cref="RateLimiter"/>, so lane priority cannot be lost by a type check
/// that does not match (the instance-scope limiter once fell through one and served bulk and realtime in arrival order).
/// </summary>
public abstract class LaneRateLimiter : RateLimiter
{
    /// <summary>One permit for a call in <paramref name="lane"/>; realtime waiters go ahead of queued bulk ones.</summary>
    public abstract ValueTask<RateLimitLease> AcquireAsync(Lane lane, CancellationToken cancellationToken = default);

    /// <summary>
    /// How soon the next permit in <paramref name="lane"/> is expected, counting the waiters ahead. The drain asks
    /// before it starts work, so that work which could only wait goes back to its queue instead of keeping an
    /// instance busy. Zero when a permit is free now or the limiter cannot tell (it will ask).
    /// </summary>
    public virtual TimeSpan NextPermitIn(Lane lane) => TimeSpan.Zero;
}
