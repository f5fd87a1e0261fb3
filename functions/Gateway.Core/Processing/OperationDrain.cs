using Microsoft.Extensions.Logging;
using Libromi.Gateway.Queueing;

namespace Libromi.Gateway.Processing;

/// <summary>
/// Starts a drain run if this instance can take the drain, and arranges the next one: what every trigger of both
/// hosts calls (the Functions wake and timer triggers, the standalone host's <see cref="DrainService"/>).
/// </summary>
public sealed partial class OperationDrain(DrainLeadership leadership, OperationPump pump, DrainWakeups wakeups, ILogger<OperationDrain> logger)
{
    /// <summary>
    /// Runs the drain here unless another instance holds it (then returns at once). A run that ended because nothing
    /// could be sent soon schedules a wake for when it can, one that put work back with a delay for when the earliest
    /// of it becomes visible, and one that handed over wakes the drain at once.
    /// </summary>
    public async Task<DrainExit> RunAsync(CancellationToken cancellationToken)
    {
        var term = await leadership.TryTakeAsync(cancellationToken).ConfigureAwait(false);
        if (term is null)
        {
            return DrainExit.NotLeader;
        }
        DrainExit exit;
        await using (term.ConfigureAwait(false))
        {
            using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, term.Lost);
            exit = await pump.RunAsync(running.Token).ConfigureAwait(false);
        }
        // Work this run put back (retries, permits further away) wakes the drain when it becomes visible.
        var resumeIn = Earliest(exit.ResumeIn, wakeups.NextDeferredIn());
        LogRunEnded(logger, exit.Reason, resumeIn?.TotalSeconds);
        if (resumeIn is { } delay && !cancellationToken.IsCancellationRequested)
        {
            await wakeups.ScheduleAsync(delay, CancellationToken.None).ConfigureAwait(false);
        }
        return exit;
    }

    private static TimeSpan? Earliest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    [LoggerMessage(EventId = 4013, EventName = "DrainRunEnded", Level = LogLevel.Debug, Message = "Drain run ended ({Reason}); next run in {ResumeInSeconds} s unless woken earlier")]
    private static partial void LogRunEnded(ILogger logger, DrainExitReason reason, double? resumeInSeconds);
}
