using Libromi.Gateway.Operations;
using Libromi.Gateway.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
    ILogger<FiguresFlusher> logger) : BackgroundService
{
    /// <summary>Writes what was counted since the last flush (tests, shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Real time on purpose, as the trail writer's window: it bounds how long counts wait in memory.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.FlushInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            await FlushAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 9201, EventName = "FiguresNotWritten", Level = LogLevel.Warning,
        Message = "Could not write {Count} hourly figure rows ({Failure}); the counts stay in memory for the next flush")]
    private static partial void LogNotWritten(ILogger logger, int count, string failure);
}
