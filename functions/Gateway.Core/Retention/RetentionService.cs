using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Retention;

/// <summary>
/// The standalone host's counterpart of the Functions timer trigger: runs <see cref="RetentionSweeper"/> at every
/// instant of <see cref="RetentionOptions.Schedule"/> (UTC) on the gateway's clock. Every instance sweeps (the timer
/// trigger runs on one instance at a time); sweeps are idempotent and leave each other's work alone, so that only
/// costs a few redundant reads. A failed sweep is logged and the next one starts over.
/// </summary>
public sealed partial class RetentionService(
    RetentionSweeper sweeper,
    IOptions<RetentionOptions> options,
    [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider,
    ILogger<RetentionService> logger) : BackgroundService
{
    // Task.Delay takes at most about 49 days; a longer wait (a yearly schedule) is taken in steps.
    private static readonly TimeSpan LongestDelay = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = options.Value.Schedule;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var next = RetentionSchedule.NextRun(schedule, timeProvider.GetUtcNow());
                for (var wait = next - timeProvider.GetUtcNow(); wait > TimeSpan.Zero; wait = next - timeProvider.GetUtcNow())
                {
                    await Task.Delay(wait < LongestDelay ? wait : LongestDelay, timeProvider, stoppingToken).ConfigureAwait(false);
                }
                await sweeper.SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                // Storage down, most likely; nothing was half done that the next sweep cannot finish.
                LogSweepFailed(logger, exception, exception.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 9002, EventName = "RetentionSweepFailed", Level = LogLevel.Warning,
        Message = "Retention sweep failed ({Failure}); the next scheduled sweep starts over")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception, string failure);
}
