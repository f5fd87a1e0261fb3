using Microsoft.Extensions.Hosting;

namespace Libromi.Gateway.Storage;

/// <summary>
/// A background writer of what it buffers in memory: it flushes every <see cref="FlushInterval"/> and once more when
/// the host stops, so a clean shutdown loses nothing. Real time on purpose: the interval bounds how long data waits in
/// memory, not a gateway decision.
/// </summary>
public abstract class PeriodicFlushService : BackgroundService
{
    protected abstract TimeSpan FlushInterval { get; }

    /// <summary>Writes what is buffered; must not throw for a storage fault (the data waits, or is dropped, by the writer's rule).</summary>
    public abstract Task FlushAsync(CancellationToken cancellationToken = default);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(FlushInterval, stoppingToken).ConfigureAwait(false);
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
}
