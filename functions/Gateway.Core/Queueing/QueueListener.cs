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
public sealed partial class QueueListener(
    OperationQueues queues,
    OperationProcessor processor,
    SendingState sendingState,
    IOptions<QueueListenerOptions> options,
    [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider,
    ILogger<QueueListener> logger) : BackgroundService
{
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(50);
    private int _inFlight;
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
                while (Volatile.Read(ref _inFlight) > settings.NewBatchThreshold)
                {
                    await _capacityFreed.WaitAsync(stoppingToken).ConfigureAwait(false);
                }

                var received = await ReceiveAsync(queues.Realtime, settings, stoppingToken).ConfigureAwait(false);
                if (received.Count == 0)
                {
                    received = await ReceiveAsync(queues.Bulk, settings, stoppingToken).ConfigureAwait(false);
                }
                if (received.Count == 0)
                {
                    await Task.Delay(idleDelay, stoppingToken).ConfigureAwait(false);
                    idleDelay = Min(idleDelay * 2, settings.MaxPollingInterval);
                    continue;
                }

                idleDelay = MinPollingInterval;
                foreach (var (queue, message) in received)
                {
                    Interlocked.Increment(ref _inFlight);
                    _ = HandleAsync(queue, message, settings, stoppingToken);
                }
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
        while (Volatile.Read(ref _inFlight) > 0)
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

    private static async Task<IReadOnlyList<(QueueClient Queue, QueueMessage Message)>> ReceiveAsync(QueueClient queue, QueueListenerOptions settings, CancellationToken cancellationToken)
    {
        QueueMessage[] messages = await OperationQueues.WithQueueAsync(queue,
            async () => (await queue.ReceiveMessagesAsync(settings.BatchSize, settings.MessageLease, cancellationToken).ConfigureAwait(false)).Value,
            cancellationToken).ConfigureAwait(false);
        return [.. messages.Select(message => (queue, message))];
    }

    private async Task HandleAsync(QueueClient queue, QueueMessage message, QueueListenerOptions settings, CancellationToken stoppingToken)
    {
        try
        {
            if (message.DequeueCount > settings.MaxDequeueCount)
            {
                // The Functions host's backstop: a message that crashed processing too often is set aside whole.
                await queues.Poison(queue).SendMessageAsync(message.Body, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: stoppingToken).ConfigureAwait(false);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken).ConfigureAwait(false);
                LogPoisoned(logger, message.MessageId, queue.Name, message.DequeueCount);
                return;
            }

            await processor.ProcessAsync(message.Body.ToString(), stoppingToken).ConfigureAwait(false);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the message reappears when its lease ends; nothing was recorded for it.
        }
        catch (Exception exception)
        {
            LogProcessingFailed(logger, exception, message.MessageId, queue.Name);
            try
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception updateException) when (OperationIngestor.IsStorageFault(updateException, CancellationToken.None))
            {
                // The lease still ends by itself; the message is not lost.
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
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
