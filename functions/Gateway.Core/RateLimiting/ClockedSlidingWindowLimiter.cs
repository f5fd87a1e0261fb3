using System.Threading.RateLimiting;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// A <see cref="SlidingWindowRateLimiter"/> whose segments advance on a <see cref="TimeProvider"/> timer, so
/// tests move time with <c>FakeTimeProvider</c> instead of waiting out real windows.
/// </summary>
/// <remarks>
/// Libromi's windows are assumed sliding (libromi-api.md, Unknowns). A sliding-window limiter with S segments
/// of length d returns a permit between (S-1)·d and S·d after it was taken, so to guarantee that no 60-second
/// window ever holds more than the limit we use S-1 segments per guaranteed window plus one: the effective
/// window is <c>window + window/(S-1)</c>, which costs under 1% of throughput at S = 121.
/// </remarks>
public sealed class ClockedSlidingWindowLimiter : RateLimiter
{
    private const int SegmentsPerGuaranteedWindow = 120;

    private readonly SlidingWindowRateLimiter _inner;
    private readonly ITimer _timer;

    public ClockedSlidingWindowLimiter(int permitLimit, TimeSpan guaranteedWindow, TimeProvider timeProvider, int queueLimit = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permitLimit, 1);
        var segment = guaranteedWindow / SegmentsPerGuaranteedWindow;
        _inner = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permitLimit,
            Window = segment * (SegmentsPerGuaranteedWindow + 1),
            SegmentsPerWindow = SegmentsPerGuaranteedWindow + 1,
            QueueLimit = queueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = false,
        });
        _timer = timeProvider.CreateTimer(static state => ((SlidingWindowRateLimiter)state!).TryReplenish(), _inner, segment, segment);
    }

    public override TimeSpan? IdleDuration => _inner.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => _inner.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => _inner.AttemptAcquire(permitCount);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        _inner.AcquireAsync(permitCount, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _timer.Dispose();
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        await _inner.DisposeAsync().ConfigureAwait(false);
    }
}
