using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Storage;
using Libromi.Gateway.Operations;
using Libromi.Gateway.RateLimiting;
using Libromi.Gateway.Queueing;

namespace Libromi.Gateway.Processing;

/// <summary>
/// The one consumer of the operation queues, on both hosts: a run receives from both lanes (realtime first), groups
/// and merges what it holds, sends at the rate the limiter allows, and ends when nothing can be sent soon. Only the
/// instance holding the drain runs it (<see cref="OperationDrain"/>); the Functions wake and timer triggers and the
/// standalone host's drain service start runs. It keeps the Functions queue trigger's contract: batches, a new batch
/// at the threshold, poison after <c>MaxDequeueCount</c>, a visibility timeout after a failure.
/// </summary>
/// <remarks>
/// <para>
/// Received messages are held per lane in lines per contact (<see cref="ContactGroups"/>): attribute updates for one
/// contact join its open group until the group starts, and a group of several is delivered as one merged call
/// (<see cref="OperationProcessor.ProcessCoalescedAsync"/>); each message is still deleted or put back on its own.
/// A backlog of updates is read deep before anything starts (<see cref="LaneHolding"/>), which is when merging saves
/// the most permits; a trickle starts at once.
/// </para>
/// <para>
/// Each lane has its own running slots, so bulk groups waiting for permits never take the slots realtime needs; the
/// limiter then serves realtime waiters first. Held messages stay hidden from other instances: their holds are
/// renewed at half time, and when a run ends the ones not started are handed back at once.
/// </para>
/// <para>
/// A run never keeps an instance busy only to wait: work whose next permit (or the end of a pause) is further than
/// <see cref="DrainOptions.SendHorizon"/> is not started, and when nothing else runs the held messages go back to their
/// queues visible when capacity frees, a wake is scheduled for then, and the run ends.
/// </para>
/// </remarks>
public sealed partial class OperationPump(
    OperationQueues queues,
    OperationProcessor processor,
    SendingState sendingState,
    LaneRateLimiter rateLimiter,
    IOptions<OperationPumpOptions> options,
    IOptions<ProcessingOptions> processingOptions,
    IOptions<DrainOptions> drainOptions,
    TimeProvider storageClock,
    ILogger<OperationPump> logger)
{
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(50);
    // Renewals and releases are small requests; a few at a time keep a held backlog's holds fresh without a burst.
    private const int HoldRequestConcurrency = 8;
    private readonly Lock _sync = new();
    private readonly MessageHolds _holds = new(storageClock, options.Value.MessageHold);
    private readonly SemaphoreSlim _capacityFreed = new(0);
    private LaneHolding[] _lanes = [];
    private int _handlers;
    private int _running;

    /// <summary>Message hold renewals made so far (the benchmarks report their cost).</summary>
    public long HoldRenewals => _holds.Renewals;

    /// <summary>
    /// One run: sends until both queues stay empty for <see cref="DrainOptions.IdleExit"/>, nothing can be sent within
    /// <see cref="DrainOptions.SendHorizon"/>, the run has lasted <see cref="DrainOptions.MaxRunTime"/>, or
    /// <paramref name="stoppingToken"/> is cancelled. Held messages not started are handed back before it returns.
    /// </summary>
    public async Task<DrainExit> RunAsync(CancellationToken stoppingToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("A drain run is already in progress on this instance.");
        }
        try
        {
            _lanes = [new(options.Value), new(options.Value)];
            while (_capacityFreed.Wait(0))
            {
            }
            using var keeping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var keeper = KeepHoldsAsync(options.Value.MessageHold, keeping.Token);
            var exit = await LoopAsync(stoppingToken).ConfigureAwait(false);
            await keeping.CancelAsync().ConfigureAwait(false);
            await keeper.ConfigureAwait(false);
            await ReleaseWaitingAsync(exit.ResumeIn ?? TimeSpan.Zero).ConfigureAwait(false);
            // Let running groups finish or be abandoned (they reappear when their hold ends) before the run ends.
            while (Volatile.Read(ref _handlers) > 0)
            {
                await _capacityFreed.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
            }
            return exit;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task<DrainExit> LoopAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var drain = drainOptions.Value;
        var startedAt = storageClock.GetUtcNow();
        var lastSeen = DateTimeOffset.MinValue;
        var idleDelay = MinPollingInterval;
        var realtime = Holding(Lane.Realtime);
        var bulk = Holding(Lane.Bulk);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (storageClock.GetUtcNow() - startedAt >= drain.MaxRunTime)
                {
                    return DrainExit.HandOver;
                }

                // Nothing may go before the pause ends or the probe is due: wait here if that is soon, otherwise end
                // the run and let a wake at the right time start the next one.
                if (sendingState.WaitBeforeSending() is { } pause)
                {
                    if (pause > drain.SendHorizon && Volatile.Read(ref _handlers) == 0)
                    {
                        return DrainExit.Waiting(Min(pause, processingOptions.Value.MaxRequeueDelay));
                    }
                    await Task.Delay(Min(pause, settings.MaxPollingInterval), stoppingToken).ConfigureAwait(false);
                    continue;
                }
                var realtimeWait = PermitWait(Lane.Realtime);
                var bulkWait = PermitWait(Lane.Bulk);
                var realtimeSoon = realtimeWait <= drain.SendHorizon;
                var bulkSoon = bulkWait <= drain.SendHorizon;
                if (!realtimeSoon && !bulkSoon && Volatile.Read(ref _handlers) == 0)
                {
                    return DrainExit.Waiting(Min(realtimeWait < bulkWait ? realtimeWait : bulkWait, processingOptions.Value.MaxRequeueDelay));
                }

                var received = 0;
                var realtimeCameBackEmpty = false;
                if (realtimeSoon && UnderLock(() => realtime.WantsMessages))
                {
                    received = await ReceiveAsync(Lane.Realtime, settings, stoppingToken).ConfigureAwait(false);
                    realtimeCameBackEmpty = received == 0;
                    if (UnderLock(() => realtime.IsReadingDeep))
                    {
                        // A backlog of updates: read on before anything starts, so more of them meet their contact's group.
                        lastSeen = storageClock.GetUtcNow();
                        continue;
                    }
                }
                if (realtimeSoon)
                {
                    Start(Lane.Realtime, stoppingToken);
                }

                // Bulk is fetched when realtime came back empty and has room (imports use what live traffic leaves), or
                // when bulk holds nothing at all: it needs one pack to keep a waiter in the limiter (below).
                if (bulkSoon && UnderLock(() => bulk.WantsMessages && (((realtimeCameBackEmpty || !realtimeSoon) && realtime.HasRoom) || bulk.Groups.HeldMessages == 0)))
                {
                    received += await ReceiveAsync(Lane.Bulk, settings, stoppingToken).ConfigureAwait(false);
                    if (UnderLock(() => bulk.IsReadingDeep))
                    {
                        lastSeen = storageClock.GetUtcNow();
                        continue;
                    }
                }
                // Bulk groups start only while no realtime group waits for a slot, except one: a bulk waiter in the
                // limiter gets one permit in ten while realtime waits too, so a realtime backlog cannot starve an import.
                if (bulkSoon)
                {
                    Start(Lane.Bulk, stoppingToken, atMostOne: UnderLock(() => realtime.Groups.WaitingGroups > 0));
                }

                if (received > 0)
                {
                    lastSeen = storageClock.GetUtcNow();
                    idleDelay = MinPollingInterval;
                    continue;
                }
                if (Volatile.Read(ref _handlers) == 0 && UnderLock(() => realtime.Groups.HeldMessages + bulk.Groups.HeldMessages) == 0
                    && storageClock.GetUtcNow() - lastSeen >= drain.IdleExit)
                {
                    return DrainExit.Idle;
                }
                // Woken early when a group completes; otherwise the empty queues are polled with backoff.
                if (await _capacityFreed.WaitAsync(idleDelay, stoppingToken).ConfigureAwait(false))
                {
                    // One look covers every group that completed meanwhile: no empty poll per completion.
                    while (_capacityFreed.Wait(0))
                    {
                    }
                }
                idleDelay = Min(idleDelay * 2, settings.MaxPollingInterval);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (StorageFaults.IsStorageFault(exception, stoppingToken))
            {
                // Storage is down: messages stay where they are; the next wake or the backstop tries again.
                LogStorageFault(logger, exception.GetType().Name);
                return DrainExit.Waiting(settings.MaxPollingInterval);
            }
        }
        return DrainExit.Stopped;
    }

    private LaneHolding Holding(Lane lane) => _lanes[(int)lane];

    private T UnderLock<T>(Func<T> decision)
    {
        lock (_sync)
        {
            return decision();
        }
    }

    /// <summary>Receives one batch into the lane's holding (poison goes straight to its queue); returns how many came back.</summary>
    private async Task<int> ReceiveAsync(Lane lane, OperationPumpOptions settings, CancellationToken stoppingToken)
    {
        var queue = queues.For(lane);
        var heldSince = storageClock.GetUtcNow();
        var received = await OperationQueues.WithQueueAsync(queue,
            async () => (await queue.ReceiveMessagesAsync(settings.BatchSize, settings.MessageHold, stoppingToken).ConfigureAwait(false)).Value,
            stoppingToken).ConfigureAwait(false);
        foreach (var poisoned in received.Where(m => m.DequeueCount > settings.MaxDequeueCount))
        {
            Interlocked.Increment(ref _handlers);
            _ = PoisonAsync(queue, poisoned, stoppingToken);
        }
        var held = received.Where(m => m.DequeueCount <= settings.MaxDequeueCount)
            .Select(m => HeldMessage.Read(m.MessageId, m.PopReceipt, m.Body.ToString(), m.InsertedOn, heldSince))
            .ToArray();
        lock (_sync)
        {
            Holding(lane).Received(received.Length, held);
        }
        return received.Length;
    }

    private void Start(Lane lane, CancellationToken stoppingToken, bool atMostOne = false)
    {
        IReadOnlyList<MessageGroup> starting;
        lock (_sync)
        {
            var holding = Holding(lane);
            starting = !atMostOne ? holding.StartGroups() : holding.Groups.Start(1 - holding.Groups.RunningGroups);
        }
        foreach (var group in starting)
        {
            Interlocked.Increment(ref _handlers);
            _ = DeliverAsync(lane, group, stoppingToken);
        }
    }

    /// <summary>One group: alone, or merged into one call; then every message is deleted or put back on its own.</summary>
    private async Task DeliverAsync(Lane lane, MessageGroup group, CancellationToken stoppingToken)
    {
        var queue = queues.For(lane);
        try
        {
            if (group.Messages is [{ } single])
            {
                await processor.ProcessAsync(single.Text, stoppingToken).ConfigureAwait(false);
            }
            else
            {
                await processor.ProcessCoalescedAsync([.. group.Messages.Select(m => m.Text)], stoppingToken).ConfigureAwait(false);
            }
            // Every message's fate is recorded (delivered, put back, dead-lettered): the originals go.
            foreach (var message in group.Messages)
            {
                await _holds.DeleteAsync(queue, message, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the messages reappear when their hold ends (a call may have reached Libromi; nothing was recorded).
        }
        catch (Exception exception)
        {
            foreach (var message in group.Messages)
            {
                LogProcessingFailed(logger, exception, message.MessageId, queue.Name);
                await ReturnQuietlyAsync(queue, message, options.Value.VisibilityTimeout).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_sync)
            {
                Holding(lane).Groups.Complete(group);
            }
            Finished();
        }
    }

    /// <summary>The Functions host's backstop: a message that crashed processing too often is set aside whole.</summary>
    private async Task PoisonAsync(QueueClient queue, QueueMessage poisoned, CancellationToken stoppingToken)
    {
        try
        {
            await queues.Poison(queue).SendMessageAsync(poisoned.Body, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: stoppingToken).ConfigureAwait(false);
            await queue.DeleteMessageAsync(poisoned.MessageId, poisoned.PopReceipt, stoppingToken).ConfigureAwait(false);
            LogPoisoned(logger, poisoned.MessageId, queue.Name, poisoned.DequeueCount);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Not moved: it reappears when its hold ends and is set aside then.
            LogProcessingFailed(logger, exception, poisoned.MessageId, queue.Name);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: it reappears when its hold ends.
        }
        finally
        {
            Finished();
        }
    }

    private void Finished()
    {
        Interlocked.Decrement(ref _handlers);
        _capacityFreed.Release();
    }

    /// <summary>Renews every held message's hold once half of it has passed, for as long as the listener runs.</summary>
    private async Task KeepHoldsAsync(TimeSpan hold, CancellationToken stoppingToken)
    {
        // Checking four times a hold renews each message between half and three quarters of it.
        var interval = hold / 4;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = HoldRequestConcurrency, CancellationToken = stoppingToken };
        try
        {
            while (true)
            {
                await Task.Delay(interval, storageClock, stoppingToken).ConfigureAwait(false);
                var now = storageClock.GetUtcNow();
                List<(Lane Lane, HeldMessage Message)> due = [];
                lock (_sync)
                {
                    foreach (var lane in (Lane[])[Lane.Realtime, Lane.Bulk])
                    {
                        due.AddRange(Holding(lane).Groups.DueForRenewal(now, hold).Select(message => (lane, message)));
                    }
                }
                await Parallel.ForEachAsync(due, parallel, async (item, cancellationToken) =>
                    await RenewAsync(item.Lane, item.Message, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: held messages not started are released next; running ones keep the hold they have.
        }
    }

    private async Task RenewAsync(Lane lane, HeldMessage message, CancellationToken stoppingToken)
    {
        var queue = queues.For(lane);
        try
        {
            if (await _holds.RenewAsync(queue, message, stoppingToken).ConfigureAwait(false) != HoldRenewal.Lost)
            {
                return;
            }
            bool forgotten;
            lock (_sync)
            {
                forgotten = Holding(lane).Groups.Forget(message);
            }
            LogHoldLost(logger, message.MessageId, queue.Name, forgotten);
            _capacityFreed.Release();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Tried again on the next check; a quarter of the hold is still left then.
            LogHoldNotRenewed(logger, message.MessageId, queue.Name, exception.GetType().Name);
        }
    }

    /// <summary>
    /// Hands back every held message whose group has not started, visible after <paramref name="visibleAfter"/>: at
    /// once when the run ends idle, stops or hands over (nothing was sent for them, so the next run need not wait out
    /// their hold), or when capacity frees when the run ends because nothing could be sent soon.
    /// </summary>
    private async Task ReleaseWaitingAsync(TimeSpan visibleAfter)
    {
        List<(Lane Lane, HeldMessage Message)> waiting = [];
        lock (_sync)
        {
            foreach (var lane in (Lane[])[Lane.Realtime, Lane.Bulk])
            {
                waiting.AddRange(Holding(lane).Groups.ReleaseWaiting().Select(message => (lane, message)));
            }
        }
        if (waiting.Count == 0)
        {
            return;
        }
        await Parallel.ForEachAsync(waiting, new ParallelOptions { MaxDegreeOfParallelism = HoldRequestConcurrency }, async (item, _) =>
            await ReturnQuietlyAsync(queues.For(item.Lane), item.Message, visibleAfter).ConfigureAwait(false)).ConfigureAwait(false);
        LogReleased(logger, waiting.Count);
    }

    private async Task ReturnQuietlyAsync(QueueClient queue, HeldMessage message, TimeSpan visibleAfter)
    {
        try
        {
            await _holds.ReturnAsync(queue, message, visibleAfter, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is Azure.RequestFailedException || StorageFaults.IsStorageFault(exception, CancellationToken.None))
        {
            // Already deleted, or the hold ends by itself: the message is not lost either way.
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>How long until a permit in <paramref name="lane"/> is expected, counting the waiters ahead.</summary>
    private TimeSpan PermitWait(Lane lane) => rateLimiter.NextPermitIn(lane);

    [LoggerMessage(EventId = 4001, EventName = "QueueStorageFault", Level = LogLevel.Warning, Message = "Queue storage is unreachable ({Failure}); polling again shortly")]
    private static partial void LogStorageFault(ILogger logger, string failure);

    [LoggerMessage(EventId = 4002, EventName = "MessagePoisoned", Level = LogLevel.Error, Message = "Moved message {MessageId} from {Queue} to its poison queue after {DequeueCount} deliveries")]
    private static partial void LogPoisoned(ILogger logger, string messageId, string queue, long dequeueCount);

    [LoggerMessage(EventId = 4003, EventName = "MessageProcessingFailed", Level = LogLevel.Error, Message = "Processing message {MessageId} from {Queue} failed; it will be delivered again")]
    private static partial void LogProcessingFailed(ILogger logger, Exception exception, string messageId, string queue);

    [LoggerMessage(EventId = 4004, EventName = "HeldMessageHoldLost", Level = LogLevel.Warning, Message = "Lost the hold on message {MessageId} in {Queue} (dropped before starting: {Dropped}); another instance may deliver it")]
    private static partial void LogHoldLost(ILogger logger, string messageId, string queue, bool dropped);

    [LoggerMessage(EventId = 4005, EventName = "HeldMessageHoldNotRenewed", Level = LogLevel.Warning, Message = "Could not renew the hold on message {MessageId} in {Queue} ({Failure}); trying again shortly")]
    private static partial void LogHoldNotRenewed(ILogger logger, string messageId, string queue, string failure);

    [LoggerMessage(EventId = 4006, EventName = "HeldMessagesReleased", Level = LogLevel.Information, Message = "Drain run ending: handed back {Count} held messages that had not started")]
    private static partial void LogReleased(ILogger logger, int count);
}
