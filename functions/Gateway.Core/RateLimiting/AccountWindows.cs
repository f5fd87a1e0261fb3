using System.Threading.RateLimiting;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// The account's two windows (per minute and per hour) for one instance: a permit needs both, as with
/// <see cref="RateLimiter.CreateChained"/>, and the forecast is the later of the two. Both windows queue realtime
/// waiters ahead of bulk ones, so realtime keeps its priority in the instance scope too.
/// </summary>
internal sealed class AccountWindows : LaneRateLimiter
{
    private readonly SlidingWindowLogLimiter _minute;
    private readonly SlidingWindowLogLimiter _hour;
    private readonly RateLimiter _both;

    public AccountWindows(SlidingWindowLogLimiter minute, SlidingWindowLogLimiter hour)
    {
        _minute = minute;
        _hour = hour;
        _both = CreateChained(minute, hour);
    }

    public override TimeSpan? IdleDuration => _both.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => _both.GetStatistics();

    public override TimeSpan NextPermitIn(Lane lane)
    {
        var minute = _minute.NextPermitIn(lane);
        var hour = _hour.NextPermitIn(lane);
        return minute > hour ? minute : hour;
    }

    /// <summary>
    /// The minute's permit, then the hour's, as the chained limiter takes them. A permit of this log is a grant time, so
    /// a refusal by the hour cannot hand the minute's back: the chained limiter loses it the same way.
    /// </summary>
    public override async ValueTask<RateLimitLease> AcquireAsync(Lane lane, CancellationToken cancellationToken = default)
    {
        var minute = await _minute.AcquireAsync(lane, cancellationToken).ConfigureAwait(false);
        if (!minute.IsAcquired)
        {
            return minute;
        }
        minute.Dispose();
        return await _hour.AcquireAsync(lane, cancellationToken).ConfigureAwait(false);
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => _both.AttemptAcquire(permitCount);

    /// <summary>A request that names no lane is realtime, as with the fleet limiter.</summary>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        permitCount == 1 ? AcquireAsync(Lane.Realtime, cancellationToken) : _both.AcquireAsync(permitCount, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _both.Dispose();
            _minute.Dispose();
            _hour.Dispose();
        }
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _both.DisposeAsync().ConfigureAwait(false);
        await _minute.DisposeAsync().ConfigureAwait(false);
        await _hour.DisposeAsync().ConfigureAwait(false);
    }
}
