using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Libromi.Gateway.Storage;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Queueing;

/// <summary>
/// The gateway's queues. Messages are Base64-encoded on both hosts because the Functions queue extension
/// decodes Base64 by default, so a message the standalone host writes reads the same on Functions; the clients are configured for it in <c>AddGatewayStorage</c>.
/// </summary>
public sealed class OperationQueues(QueueServiceClient queueService)
{
    // At 1,000 requests an hour a large import legitimately waits days: messages never expire.
    internal static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    // Deletes are small requests; a few at a time take a large import back quickly without a burst.
    private const int WithdrawConcurrency = 8;

    public QueueClient Realtime { get; } = queueService.GetQueueClient(QueueNames.Realtime);
    public QueueClient Bulk { get; } = queueService.GetQueueClient(QueueNames.Bulk);

    public QueueClient For(Lane lane) => lane == Lane.Bulk ? Bulk : Realtime;

    public QueueClient Poison(QueueClient queue) => queueService.GetQueueClient(QueueNames.PoisonOf(queue.Name));

    /// <summary>The lanes and their poison queues. Dead letters live in a table (<c>DeadLetters.DeadLetterStore</c>).</summary>
    public IEnumerable<QueueClient> All => [Realtime, Bulk, Poison(Realtime), Poison(Bulk)];

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        foreach (var queue in All)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stores <paramref name="envelope"/> in its lane; returns only once storage has acknowledged it, with the receipt
    /// that can delete it again.
    /// </summary>
    public Task<SendReceipt> EnqueueAsync(OperationEnvelope envelope, TimeSpan? visibilityDelay = null, CancellationToken cancellationToken = default) =>
        SendAsync(For(envelope.Lane), EnvelopeSerializer.Serialize(envelope), visibilityDelay, cancellationToken);

    /// <summary>Stores a message serialised already (<see cref="EnvelopeSerializer.Prepare"/>), visible at once.</summary>
    public Task<SendReceipt> EnqueueAsync(SerializedEnvelope message, CancellationToken cancellationToken) =>
        SendAsync(For(message.Envelope.Lane), message.Json, visibilityDelay: null, cancellationToken);

    private static async Task<SendReceipt> SendAsync(QueueClient queue, string body, TimeSpan? visibilityDelay, CancellationToken cancellationToken)
    {
        var delay = CappedVisibility(visibilityDelay);
        Response<SendReceipt> receipt = await WithQueueAsync(queue, () => queue.SendMessageAsync(body, delay, NeverExpires, cancellationToken), cancellationToken).ConfigureAwait(false);
        return receipt.Value;
    }

    /// <summary>A visibility delay storage accepts: not negative, and under the 7 days Azure Storage allows.</summary>
    public static TimeSpan? CappedVisibility(TimeSpan? delay) =>
        delay is { } d ? TimeSpan.FromTicks(Math.Clamp(d.Ticks, 0, TimeSpan.FromDays(7).Ticks - TimeSpan.TicksPerSecond)) : null;

    /// <summary>
    /// Deletes messages this instance sent, for a set that storage did not take whole: an answer that is an error must
    /// leave nothing queued. Each delete gets its own <paramref name="deadline"/>, not the request's token, so a sender
    /// that hung up still leaves nothing behind. Returns how many could not be deleted (storage down): those stay and
    /// are delivered.
    /// </summary>
    public async Task<int> WithdrawAsync(Lane lane, IEnumerable<SendReceipt> receipts, StorageDeadline deadline)
    {
        var queue = For(lane);
        var kept = 0;
        await Parallel.ForEachAsync(receipts, new ParallelOptions { MaxDegreeOfParallelism = WithdrawConcurrency }, async (receipt, _) =>
        {
            try
            {
                using var bounded = deadline.Start();
                await queue.DeleteMessageAsync(receipt.MessageId, receipt.PopReceipt, bounded.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (StorageFaults.IsStorageFault(exception, CancellationToken.None))
            {
                Interlocked.Increment(ref kept);
            }
        }).ConfigureAwait(false);
        return kept;
    }

    /// <summary>
    /// Runs <paramref name="operation"/>, creating the queue once if it does not exist: the deployment creates
    /// the queues, but a queue deleted by hand (or a fresh local emulator) must not turn every request into a 503.
    /// </summary>
    public static async Task<T> WithQueueAsync<T>(QueueClient queue, Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return await operation().ConfigureAwait(false);
        }
    }
}
