using Microsoft.Extensions.DependencyInjection;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Libromi.Gateway.RateLimiting;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Processing;

/// <summary>
/// Decides whether one call to Libromi may go now: not while paused after a 429, not while the token is
/// rejected (except one probe), and only with a permit from the account's rate limiter.
/// </summary>
public sealed class DeliveryGate(LaneRateLimiter rateLimiter, SendingState state, IOptions<ProcessingOptions> options, [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider)
{
    internal static readonly TimeSpan RequeueAfterPermitTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Waits for a permit at most <see cref="ProcessingOptions.MaxPermitWait"/>; the limiter serves realtime
    /// waiters before bulk ones. A null result means "go"; otherwise the delay after which the caller should try
    /// again (the message goes back to its queue).
    /// </summary>
    public async Task<TimeSpan?> WaitForPermitAsync(Lane lane, CancellationToken cancellationToken)
    {
        var pausedFor = state.PausedUntil - timeProvider.GetUtcNow();
        if (pausedFor > TimeSpan.Zero)
        {
            return pausedFor;
        }
        if (!state.TryClaimProbe(out var probeWait))
        {
            return probeWait;
        }
        return await AcquireAsync(lane, cancellationToken).ConfigureAwait(false);
    }

    private TimeSpan Forecast(Lane lane) => rateLimiter.NextPermitIn(lane);

    /// <summary>
    /// A permit for a second request of the same attempt: the call sent again after Libromi refused a token that
    /// has since been replaced. Same pause, limiter, lane and wait as the first request, but no new probe claim:
    /// while the circuit is open the first request was the probe, and the retry belongs to it. A non-null result
    /// frees that probe, since the attempt ends without a verdict and the message goes back to its queue.
    /// </summary>
    public async Task<TimeSpan?> WaitForRetryPermitAsync(Lane lane, CancellationToken cancellationToken)
    {
        var pausedFor = state.PausedUntil - timeProvider.GetUtcNow();
        if (pausedFor > TimeSpan.Zero)
        {
            state.ReleaseProbe();
            return pausedFor;
        }
        return await AcquireAsync(lane, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TimeSpan?> AcquireAsync(Lane lane, CancellationToken cancellationToken)
    {
        // Capacity further away than the whole wait: back to the queue now, visible when it frees, rather than waiting for nothing.
        if (Forecast(lane) is var ahead && ahead > options.Value.MaxPermitWait)
        {
            state.ReleaseProbe();
            return ahead;
        }
        using var permitWait = new CancellationTokenSource(options.Value.MaxPermitWait, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, permitWait.Token);
        try
        {
            using var lease = await rateLimiter.AcquireAsync(lane, linked.Token).ConfigureAwait(false);
            if (lease.IsAcquired)
            {
                return null;
            }
            state.ReleaseProbe();
            if (lease.TryGetMetadata(FleetRateLimiter.PausedUntil, out var pausedUntil))
            {
                // Another instance was told 429: stop polling here too until the pause ends.
                state.ObservePause(pausedUntil);
            }
            return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : options.Value.MaxPermitWait;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Waited a whole MaxPermitWait: the backlog is deeper than the window. Back in the queue briefly,
            // not for another full wait, so it competes for the next window (a benchmark showed a whole
            // window's worth of messages sitting hidden for 30 s after a timeout).
            state.ReleaseProbe();
            return Forecast(lane) is var freesIn && freesIn > RequeueAfterPermitTimeout ? freesIn : RequeueAfterPermitTimeout;
        }
    }
}
