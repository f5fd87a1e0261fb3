using Libromi.Gateway.Queueing;
using Libromi.Gateway.Replays;

namespace Libromi.Gateway.Standalone;

/// <summary>
/// Creates the gateway's queues on start (in Azure the Bicep template does). Storage being down at start is
/// not fatal: ingest answers 503 and the listener retries until storage is back.
/// </summary>
internal sealed partial class StorageInitializer(OperationQueues queues, ReplayWorkQueue replayWork, ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await queues.EnsureCreatedAsync(cancellationToken);
            await replayWork.EnsureCreatedAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogStorageUnavailable(logger, exception.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5001, EventName = "QueuesNotCreated", Level = LogLevel.Warning, Message = "Could not create the gateway's queues at start ({Failure}); they will be used once storage is reachable")]
    private static partial void LogStorageUnavailable(ILogger logger, string failure);
}
