using Libromi.Gateway.Hosting;
using Libromi.Gateway.Processing;
using Libromi.Gateway.Queueing;
using Microsoft.Azure.Functions.Worker;

namespace Libromi.Gateway.Functions;

/// <summary>
/// Queue triggers: hand each message to the core processor, which records its fate (delivered, requeued with
/// a delay, dead-lettered) before returning. Throwing leaves the message to the host's dequeue count and
/// poison queue, a backstop for crashes only.
/// </summary>
public sealed class OperationQueueFunctions(OperationProcessor processor)
{
    [Function("ProcessRealtime")]
    public Task ProcessRealtimeAsync(
        [QueueTrigger(QueueNames.Realtime, Connection = StorageServiceCollectionExtensions.StorageConnectionName)] string message, CancellationToken cancellationToken) =>
        processor.ProcessAsync(message, cancellationToken);

    [Function("ProcessBulk")]
    public Task ProcessBulkAsync(
        [QueueTrigger(QueueNames.Bulk, Connection = StorageServiceCollectionExtensions.StorageConnectionName)] string message, CancellationToken cancellationToken) =>
        processor.ProcessAsync(message, cancellationToken);
}
