using Libromi.Gateway.DeadLetters;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Storage;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Telemetry;

namespace Libromi.Gateway.Health;

/// <summary>
/// Reads queue depths, oldest-message ages and the dead-letter count every <see cref="TelemetryOptions.SampleInterval"/>
/// for the gauges (a gauge callback runs on the exporter's thread and must not wait on storage). When storage
/// is down the gauges keep their last reading and the next turn tries again.
/// </summary>
internal sealed partial class TelemetrySampler(
    QueueInspector inspector, DeadLetterStore deadLetters, GatewayTelemetry telemetry, IOptions<TelemetryOptions> options,
    ILogger<TelemetrySampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Real time on purpose: tests that move a fake clock must not have to drive the sampler too.
        using var timer = new PeriodicTimer(options.Value.SampleInterval);
        do
        {
            await SampleOnceAsync(stoppingToken).ConfigureAwait(false);
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    internal async Task SampleOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var lanes = await inspector.SampleAsync(cancellationToken).ConfigureAwait(false);
            var count = await deadLetters.CountAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            telemetry.Observe(new StorageSample(lanes, count));
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            LogSampleFailed(logger, exception.GetType().Name);
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 7001, EventName = "TelemetrySampleFailed", Level = LogLevel.Debug, Message = "Could not read queue depths for the gauges ({Failure}); keeping the last reading")]
    private static partial void LogSampleFailed(ILogger logger, string failure);
}
