using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Storage;

namespace Libromi.Gateway.Queueing;

/// <summary>
/// Wake messages: how new work starts a drain. The Functions app's wake trigger (and the standalone host's wait)
/// starts a run on the queue <c>operations-wake</c>, which stays a few messages long, so the scale controller sees
/// one short queue instead of the whole backlog and does not start forty instances to wait for permits.
/// </summary>
public sealed partial class DrainWakeups(QueueServiceClient queueService, IOptions<DrainOptions> options, TimeProvider storageClock, ILogger<DrainWakeups> logger)
{
    // A wake outliving its purpose costs one short run; one kept for days would only pile up where no drain runs.
    private static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(10);
    private const int MaxWakesPerReceive = 32;
    private readonly Lock _deferredLock = new();
    private readonly SortedSet<DateTimeOffset> _deferred = [];
    private long _coveredFromTicks;
    private int _written;

    public QueueClient Queue { get; } = queueService.GetQueueClient(QueueNames.Wake);

    /// <summary>Wake messages written (the cost figures in the benchmarks count them).</summary>
    public int Written => Volatile.Read(ref _written);

    /// <summary>Call before storing new work; pass the result to <see cref="NotifyAsync"/> once it is stored.</summary>
    public StoringStarted BeginStoring() => new(storageClock.GetUtcNow());

    /// <summary>
    /// Wakes the drain for work this instance has just stored, unless a wake it wrote less than
    /// <see cref="DrainOptions.WakeSpacing"/> ago covers it. <paramref name="storing"/> says when storing began.
    /// A failed wake is logged, not thrown: the work is stored, and the backstop finds it within 30 seconds.
    /// </summary>
    public async Task NotifyAsync(StoringStarted storing, CancellationToken cancellationToken)
    {
        // Any run that saw the covering work keeps polling until IdleExit after it, which is later than now plus
        // WakeSpacing: what was stored before now is seen by that run (docs/rate-limits.md, "Why a skipped wake loses nothing").
        if (storageClock.GetUtcNow().UtcTicks - Interlocked.Read(ref _coveredFromTicks) < options.Value.WakeSpacing.Ticks)
        {
            return;
        }
        try
        {
            await SendAsync(visibilityDelay: null, cancellationToken).ConfigureAwait(false);
            long covered;
            do
            {
                covered = Interlocked.Read(ref _coveredFromTicks);
            }
            while (covered < storing.At.UtcTicks && Interlocked.CompareExchange(ref _coveredFromTicks, storing.At.UtcTicks, covered) != covered);
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            LogWakeNotWritten(logger, exception.GetType().Name);
        }
    }

    /// <summary>Wakes the drain after <paramref name="delay"/>: when a pause ends or capacity frees, or at once to hand a long run over.</summary>
    public async Task ScheduleAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(delay, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            LogWakeNotWritten(logger, exception.GetType().Name);
        }
    }

    /// <summary>Records that work was put back to become visible after <paramref name="delay"/> (a retry, a pause, a permit further away).</summary>
    public void NoteDeferred(TimeSpan delay)
    {
        lock (_deferredLock)
        {
            _deferred.Add(storageClock.GetUtcNow() + delay);
        }
    }

    /// <summary>
    /// How long until the earliest work put back by this instance becomes visible, forgetting what is visible already;
    /// null when none is pending. A run that ends schedules its wake for it.
    /// </summary>
    public TimeSpan? NextDeferredIn()
    {
        var now = storageClock.GetUtcNow();
        lock (_deferredLock)
        {
            _deferred.RemoveWhere(visibleAt => visibleAt <= now);
            return _deferred.Count > 0 ? _deferred.Min - now : null;
        }
    }

    /// <summary>
    /// The standalone host's wake trigger: returns when a wake message arrives (deleting what it received) or after
    /// <paramref name="backstop"/>; polls with the trigger's backoff up to <paramref name="maxPollingInterval"/>.
    /// </summary>
    public async Task WaitAsync(TimeSpan backstop, TimeSpan maxPollingInterval, CancellationToken cancellationToken)
    {
        var until = storageClock.GetUtcNow() + backstop;
        var interval = TimeSpan.FromMilliseconds(50);
        while (storageClock.GetUtcNow() < until)
        {
            try
            {
                var received = await OperationQueues.WithQueueAsync(Queue,
                    async () => (await Queue.ReceiveMessagesAsync(MaxWakesPerReceive, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false)).Value,
                    cancellationToken).ConfigureAwait(false);
                if (received.Length > 0)
                {
                    await Task.WhenAll(received.Select(wake => Queue.DeleteMessageAsync(wake.MessageId, wake.PopReceipt, CancellationToken.None))).ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception exception) when (exception is Azure.RequestFailedException || StorageFaults.IsStorageFault(exception, cancellationToken))
            {
                // Storage is down: the backstop still ends the wait; a wake not deleted reappears and wakes once more.
            }
            var left = until - storageClock.GetUtcNow();
            await Task.Delay(interval < left ? interval : left > TimeSpan.Zero ? left : TimeSpan.Zero, storageClock, cancellationToken).ConfigureAwait(false);
            interval = interval * 2 < maxPollingInterval ? interval * 2 : maxPollingInterval;
        }
    }

    private async Task SendAsync(TimeSpan? visibilityDelay, CancellationToken cancellationToken)
    {
        var delay = OperationQueues.CappedVisibility(visibilityDelay);
        await OperationQueues.WithQueueAsync(Queue,
            () => Queue.SendMessageAsync("wake", delay, TimeToLive + (delay ?? TimeSpan.Zero), cancellationToken), cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _written);
    }

    [LoggerMessage(EventId = 4012, EventName = "WakeNotWritten", Level = LogLevel.Warning, Message = "Could not write a wake message ({Failure}); the stored work is found by the drain's 30-second backstop")]
    private static partial void LogWakeNotWritten(ILogger logger, string failure);
}

/// <summary>When storing some new work began, on the clock <see cref="DrainWakeups"/> keeps.</summary>
public readonly record struct StoringStarted(DateTimeOffset At);
