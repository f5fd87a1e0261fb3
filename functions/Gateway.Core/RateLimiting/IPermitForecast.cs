using Libromi.Gateway.Operations;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// How soon a limiter expects to grant the next permit in a lane, counting the waiters ahead. The drain asks before
/// it starts work, so that work which could only wait goes back to its queue instead of keeping an instance busy.
/// </summary>
public interface IPermitForecast
{
    /// <summary>Zero when a permit is free now or the limiter cannot tell (it will ask); otherwise the expected wait.</summary>
    TimeSpan NextPermitIn(Lane lane);
}
