using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Queueing;

namespace Libromi.Gateway.Processing;

/// <summary>
/// The standalone host's drain triggers, doing what the Functions app's wake queue trigger and 30-second timer do:
/// run the drain on every wake message and at least once per <see cref="DrainOptions.Backstop"/>.
/// </summary>
public sealed class DrainService(OperationDrain drain, DrainWakeups wakeups, IOptions<DrainOptions> options, IOptions<OperationPumpOptions> queueOptions) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var exit = await drain.RunAsync(stoppingToken).ConfigureAwait(false);
                if (exit.Reason == DrainExitReason.HandOver)
                {
                    continue;
                }
                await wakeups.WaitAsync(options.Value.Backstop, queueOptions.Value.MaxPollingInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }
}
