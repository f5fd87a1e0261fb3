using System.Threading.RateLimiting;
using Libromi.Gateway.Operations;
using Libromi.Gateway.RateLimiting;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.Scenarios;

/// <summary>
/// Whether one scenario call may go now: with a permit from the scenarios' own limiter (a ledger row of its own in
/// the fleet scope), and not while scenario calls are paused after a 429 from a scenario URL. Contact calls have
/// their own gate (<c>DeliveryGate</c>): neither waits for, nor is paused by, the other.
/// </summary>
public sealed partial class ScenarioGate(LaneRateLimiter limiter, ISharedPause sharedPause, TimeSpan maxPermitWait, TimeProvider timeProvider, ILogger<ScenarioGate> logger)
    : IAsyncDisposable
{
    /// <summary>
    /// Scenario messages share the realtime queue and the pump's running slots with contact calls, and their limit is
    /// lower: a scenario step that waited for its permit in a slot would keep contact calls from being sent. So it
    /// waits at most this long, and otherwise goes back to the queue until its permit is forecast.
    /// </summary>
    public static readonly TimeSpan LongestHold = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ShortestRequeue = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private DateTimeOffset _pausedUntil;

    public DateTimeOffset PausedUntil { get { lock (_lock) { return _pausedUntil; } } }

    /// <summary>Null means "go"; otherwise how long to put the work back for (not an attempt).</summary>
    public async Task<TimeSpan?> WaitForPermitAsync(Lane lane, CancellationToken cancellationToken)
    {
        var pausedFor = PausedUntil - timeProvider.GetUtcNow();
        if (pausedFor > TimeSpan.Zero)
        {
            return pausedFor;
        }
        if (limiter.NextPermitIn(lane) is var ahead && ahead > LongestHold)
        {
            return ahead;
        }
        using var permitWait = new CancellationTokenSource(maxPermitWait < LongestHold ? maxPermitWait : LongestHold, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, permitWait.Token);
        try
        {
            using var lease = await limiter.AcquireAsync(lane, linked.Token).ConfigureAwait(false);
            if (lease.IsAcquired)
            {
                return null;
            }
            if (lease.TryGetMetadata(FleetRateLimiter.PausedUntil, out var pausedUntil))
            {
                Observe(pausedUntil);
            }
            return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : maxPermitWait;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return limiter.NextPermitIn(lane) is var freesIn && freesIn > ShortestRequeue ? freesIn : ShortestRequeue;
        }
    }

    /// <summary>A scenario URL answered 429: scenario calls on every instance wait until <paramref name="until"/>; contact calls go on.</summary>
    public async Task PauseAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        Observe(until);
        try
        {
            await sharedPause.PauseAsync(until, "429 from a scenario URL", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogPauseNotShared(logger, exception.GetType().Name);
        }
    }

    private void Observe(DateTimeOffset until)
    {
        lock (_lock)
        {
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }
        }
    }

    public ValueTask DisposeAsync() => limiter.DisposeAsync();

    [LoggerMessage(EventId = 12001, EventName = "ScenarioPauseNotShared", Level = LogLevel.Warning, Message = "Could not tell other instances about the scenario pause ({Failure}); they will pause on their own 429")]
    private static partial void LogPauseNotShared(ILogger logger, string failure);
}
