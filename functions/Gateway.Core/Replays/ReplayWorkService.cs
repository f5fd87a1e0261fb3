using Libromi.Gateway.Queueing;
using Libromi.Gateway.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Replays;

/// <summary>
/// The standalone host's listener on <c>replay-jobs</c>, doing what the Functions queue trigger does: one message at a time,
/// deleted once its page is recorded, delivered again after <see cref="OperationPumpOptions.VisibilityTimeout"/> when the
/// page failed, and moved to <c>replay-jobs-poison</c> after <see cref="OperationPumpOptions.MaxDequeueCount"/> deliveries
/// (the runner has marked its job failed by then).
/// </summary>
public sealed partial class ReplayWorkService(
    ReplayWorkQueue work, ReplayJobRunner runner, IOptions<OperationPumpOptions> options, TimeProvider timeProvider, ILogger<ReplayWorkService> logger) : BackgroundService
{
    /// <summary>How long a page may take before another listener may take its message: pages end in seconds.</summary>
    private static readonly TimeSpan PageHold = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await WorkOneAsync(stoppingToken).ConfigureAwait(false))
                {
                    await Task.Delay(options.Value.MaxPollingInterval, timeProvider, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (StorageFaults.IsStorageFault(exception, stoppingToken))
            {
                LogQueueUnavailable(logger, exception.GetType().Name);
                await Task.Delay(options.Value.MaxPollingInterval, timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>False when the queue was empty.</summary>
    private async Task<bool> WorkOneAsync(CancellationToken stoppingToken)
    {
        var message = (await work.Queue.ReceiveMessageAsync(PageHold, stoppingToken).ConfigureAwait(false)).Value;
        if (message is null)
        {
            return false;
        }
        Func<Task> settle;
        try
        {
            await runner.RunPageAsync(message.MessageText, message.DequeueCount, stoppingToken).ConfigureAwait(false);
            settle = () => work.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            if (message.DequeueCount >= options.Value.MaxDequeueCount)
            {
                settle = () => work.PoisonAsync(message, CancellationToken.None);
            }
            else
            {
                LogRetrying(logger, message.MessageId, exception.GetType().Name);
                settle = () => work.Queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: options.Value.VisibilityTimeout, cancellationToken: CancellationToken.None);
            }
        }
        try
        {
            await settle().ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException exception) when (exception.Status == 404)
        {
            // The page outlasted its hold and the message was received again (or is gone): its new holder settles it.
            LogHoldLost(logger, message.MessageId);
        }
        return true;
    }

    [LoggerMessage(EventId = 3207, EventName = "ReplayQueueUnavailable", Level = LogLevel.Warning, Message = "Could not read the replay-jobs queue ({Failure}); retrying")]
    private static partial void LogQueueUnavailable(ILogger logger, string failure);

    [LoggerMessage(EventId = 3208, EventName = "ReplayWorkRetrying", Level = LogLevel.Warning, Message = "Replay work message {MessageId} failed ({Failure}); it will be delivered again")]
    private static partial void LogRetrying(ILogger logger, string messageId, string failure);

    [LoggerMessage(EventId = 3210, EventName = "ReplayWorkHoldLost", Level = LogLevel.Warning,
        Message = "Replay work message {MessageId} could not be settled: its hold ran out and it was received again, or it is gone")]
    private static partial void LogHoldLost(ILogger logger, string messageId);
}
