using Microsoft.Extensions.DependencyInjection;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Libromi.Gateway.Ingest;
using Libromi.Gateway.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Queueing;

/// <summary>
/// Competing consumer for the standalone host, with the Functions queue trigger's contract: batches,
/// a new batch at the threshold, poison after <c>MaxDequeueCount</c>, and a visibility timeout after a
/// failure. Realtime is polled before bulk on every turn, so imports only use what live traffic leaves.
/// </summary>
/// <remarks>
/// Each lane has its own in-flight budget (as each Functions trigger has its own batch), so bulk messages
/// waiting for permits never take the slots realtime needs; the limiter then serves realtime waiters first.
/// Messages of one batch for the same contact that are attribute updates are merged into one call
/// (<see cref="AttributeCoalescer"/>); each message is still completed or put back on its own.
/// </remarks>
public sealed partial class QueueListener(
    OperationQueues queues,
    OperationProcessor processor,
    SendingState sendingState,
    IOptions<QueueListenerOptions> options,
    [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider,
    ILogger<QueueListener> logger) : BackgroundService
{
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(50);
    private readonly int[] _inFlight = new int[2];
    private readonly SemaphoreSlim _capacityFreed = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var idleDelay = MinPollingInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // While sending is paused, leave the backlog untouched instead of cycling messages.
                if (PauseRemaining() is { } pause)
                {
                    await Task.Delay(Min(pause, settings.MaxPollingInterval), stoppingToken).ConfigureAwait(false);
                    continue;
                }
                // Bulk is fetched only when realtime has room and nothing waiting: imports use what live traffic leaves.
                var realtimeHasRoom = InFlight(Lane.Realtime) <= settings.NewBatchThreshold;
                var lane = Lane.Realtime;
                var received = realtimeHasRoom ? await ReceiveAsync(queues.Realtime, settings, stoppingToken).ConfigureAwait(false) : [];
                if (received.Count == 0 && realtimeHasRoom && InFlight(Lane.Bulk) <= settings.NewBatchThreshold)
                {
                    lane = Lane.Bulk;
                    received = await ReceiveAsync(queues.Bulk, settings, stoppingToken).ConfigureAwait(false);
                }
                if (received.Count == 0)
                {
                    // Woken early when a message completes; otherwise the empty queues are polled with backoff.
                    await _capacityFreed.WaitAsync(idleDelay, stoppingToken).ConfigureAwait(false);
                    idleDelay = Min(idleDelay * 2, settings.MaxPollingInterval);
                    continue;
                }

                idleDelay = MinPollingInterval;
                Dispatch(lane, received, settings, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (OperationIngestor.IsStorageFault(exception, stoppingToken))
            {
                // Storage is down: messages stay where they are; try again after the longest polling interval.
                LogStorageFault(logger, exception.GetType().Name);
                await Task.Delay(settings.MaxPollingInterval, stoppingToken).ConfigureAwait(false);
            }
        }

        // Let in-flight messages finish or be abandoned (they reappear after their lease) before stopping.
        while (InFlight(Lane.Realtime) + InFlight(Lane.Bulk) > 0)
        {
            await _capacityFreed.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private TimeSpan? PauseRemaining()
    {
        var paused = sendingState.PausedUntil - timeProvider.GetUtcNow();
        if (paused > TimeSpan.Zero)
        {
            return paused;
        }
        var circuit = sendingState.Circuit;
        if (circuit.IsOpen && (circuit.ProbeInFlight || circuit.NextProbeAt > timeProvider.GetUtcNow()))
        {
            return circuit.ProbeInFlight ? MinPollingInterval : circuit.NextProbeAt - timeProvider.GetUtcNow();
        }
        return null;
    }

    private static async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(QueueClient queue, QueueListenerOptions settings, CancellationToken cancellationToken) =>
        await OperationQueues.WithQueueAsync(queue,
            async () => (await queue.ReceiveMessagesAsync(settings.BatchSize, settings.MessageLease, cancellationToken).ConfigureAwait(false)).Value,
            cancellationToken).ConfigureAwait(false);

    private int InFlight(Lane lane) => Volatile.Read(ref _inFlight[(int)lane]);

    /// <summary>Starts every message of the batch: poison ones alone, mergeable ones for one contact together, the rest alone.</summary>
    private void Dispatch(Lane lane, IReadOnlyList<QueueMessage> received, QueueListenerOptions settings, CancellationToken stoppingToken)
    {
        var queue = queues.For(lane);
        Interlocked.Add(ref _inFlight[(int)lane], received.Count);
        var deliverable = received.Where(m => m.DequeueCount <= settings.MaxDequeueCount).ToArray();
        foreach (var message in received.Where(m => m.DequeueCount > settings.MaxDequeueCount))
        {
            _ = HandleAsync(lane, queue, [message], settings, stoppingToken);
        }
        foreach (var group in AttributeCoalescer.Group([.. deliverable.Select(m => new AttributeCoalescer.Candidate(m.Body.ToString(), m.InsertedOn))]))
        {
            _ = HandleAsync(lane, queue, [.. group.Select(i => deliverable[i])], settings, stoppingToken);
        }
    }

    private async Task HandleAsync(Lane lane, QueueClient queue, IReadOnlyList<QueueMessage> messages, QueueListenerOptions settings, CancellationToken stoppingToken)
    {
        try
        {
            if (messages is [{ } poisoned] && poisoned.DequeueCount > settings.MaxDequeueCount)
            {
                // The Functions host's backstop: a message that crashed processing too often is set aside whole.
                await queues.Poison(queue).SendMessageAsync(poisoned.Body, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: stoppingToken).ConfigureAwait(false);
                await queue.DeleteMessageAsync(poisoned.MessageId, poisoned.PopReceipt, stoppingToken).ConfigureAwait(false);
                LogPoisoned(logger, poisoned.MessageId, queue.Name, poisoned.DequeueCount);
                return;
            }

            if (messages is [{ } single])
            {
                await processor.ProcessAsync(single.Body.ToString(), stoppingToken).ConfigureAwait(false);
            }
            else
            {
                await processor.ProcessCoalescedAsync([.. messages.Select(m => m.Body.ToString())], stoppingToken).ConfigureAwait(false);
            }
            // Every message's fate is recorded (delivered, put back, dead-lettered): the originals go.
            foreach (var message in messages)
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the messages reappear when their lease ends; nothing was recorded for them.
        }
        catch (Exception exception)
        {
            foreach (var message in messages)
            {
                LogProcessingFailed(logger, exception, message.MessageId, queue.Name);
                try
                {
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception updateException) when (updateException is Azure.RequestFailedException || OperationIngestor.IsStorageFault(updateException, CancellationToken.None))
                {
                    // Already deleted, or the lease ends by itself: the message is not lost either way.
                }
            }
        }
        finally
        {
            Interlocked.Add(ref _inFlight[(int)lane], -messages.Count);
            _capacityFreed.Release();
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    public override void Dispose()
    {
        _capacityFreed.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 4001, EventName = "QueueStorageFault", Level = LogLevel.Warning, Message = "Queue storage is unreachable ({Failure}); polling again shortly")]
    private static partial void LogStorageFault(ILogger logger, string failure);

    [LoggerMessage(EventId = 4002, EventName = "MessagePoisoned", Level = LogLevel.Error, Message = "Moved message {MessageId} from {Queue} to its poison queue after {DequeueCount} deliveries")]
    private static partial void LogPoisoned(ILogger logger, string messageId, string queue, long dequeueCount);

    [LoggerMessage(EventId = 4003, EventName = "MessageProcessingFailed", Level = LogLevel.Error, Message = "Processing message {MessageId} from {Queue} failed; it will be delivered again")]
    private static partial void LogProcessingFailed(ILogger logger, Exception exception, string messageId, string queue);
}
