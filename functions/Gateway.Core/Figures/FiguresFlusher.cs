using Libromi.Gateway.Operations;
using Libromi.Gateway.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Figures;

/// <summary>
/// Writes the instance's changed counters every <see cref="FiguresOptions.FlushInterval"/> and once more at shutdown,
/// so counting never waits on storage. A failed write keeps the counts in memory for the next flush.
/// </summary>
public sealed partial class FiguresFlusher(
    FigureTally tally,
    FigureTable table,
    IOptions<FiguresOptions> options,
    [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider,
    ILogger<FiguresFlusher> logger) : PeriodicFlushService
{
    /// <summary>Writes what was counted since the last flush (tests, shutdown).</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var changed = tally.TakeChanged();
        if (changed.Count > 0)
        {
            try
            {
                await table.WriteAsync(changed, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
            {
                tally.Restore(changed);
                LogNotWritten(logger, changed.Count, exception.GetType().Name);
                return;
            }
        }
        tally.ForgetWrittenBefore(timeProvider.GetUtcNow());
    }

    protected override TimeSpan FlushInterval => options.Value.FlushInterval;

    [LoggerMessage(EventId = 9201, EventName = "FiguresNotWritten", Level = LogLevel.Warning,
        Message = "Could not write {Count} hourly figure rows ({Failure}); the counts stay in memory for the next flush")]
    private static partial void LogNotWritten(ILogger logger, int count, string failure);
}
