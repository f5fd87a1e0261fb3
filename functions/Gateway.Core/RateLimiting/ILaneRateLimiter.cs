using System.Threading.RateLimiting;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.RateLimiting;

/// <summary>A limiter that serves realtime waiters before bulk ones (<see cref="FleetRateLimiter"/>).</summary>
public interface ILaneRateLimiter
{
    ValueTask<RateLimitLease> AcquireAsync(Lane lane, CancellationToken cancellationToken = default);
}
