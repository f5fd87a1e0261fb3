using System.Threading.RateLimiting;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// The account's two windows (per minute and per hour) for one instance: a permit needs both, as with
/// <see cref="RateLimiter.CreateChained"/>, and the forecast is the later of the two.
/// </summary>
internal sealed class AccountWindows : RateLimiter, IPermitForecast
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

    public TimeSpan NextPermitIn(Lane lane)
    {
        var minute = _minute.NextPermitIn();
        var hour = _hour.NextPermitIn();
        return minute > hour ? minute : hour;
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => _both.AttemptAcquire(permitCount);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        _both.AcquireAsync(permitCount, cancellationToken);

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
