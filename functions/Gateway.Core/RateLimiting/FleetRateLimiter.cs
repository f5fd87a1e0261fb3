using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// The account's rate limit shared by every instance: permits come from the fleet's ledger in leases of up to
/// <see cref="RateLimitOptions.MaxLease"/> (as many as this instance has waiters), are handed out locally
/// (realtime waiters before bulk ones) and are dropped when the lease expires. The next request to the ledger
/// settles the finished lease: how many permits were handed out and when the last one was, so the ledger counts
/// them from then rather than from the lease's expiry and takes the unused ones back. A <see cref="RateLimiter"/>,
/// so the delivery gate and Polly use it like any other.
/// </summary>
/// <remarks>
/// Fails closed: when the ledger cannot be reached no lease is granted, waiters time out in the delivery gate
/// and their messages go back to the queue. One refill loop per instance talks to the ledger; when the ledger
/// is full it sleeps (on the gateway clock) until the ledger says capacity frees, without polling.
/// </remarks>
public sealed partial class FleetRateLimiter : LaneRateLimiter
{
    /// <summary>On a refused lease: until when the whole account is paused after a 429 seen by any instance.</summary>
    public static readonly MetadataName<DateTimeOffset> PausedUntil = MetadataName.Create<DateTimeOffset>("PAUSED_UNTIL");

    /// <summary>While both lanes wait, one permit in this many goes to bulk, so an import never starves.</summary>
    internal const int BulkEvery = 10;

    private static readonly TimeSpan StorageRetryDelay = TimeSpan.FromSeconds(1);

    private readonly ILeaseSource _source;
    private readonly RateLimitOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly LaneWaiters _waiters = new();
    private readonly CancellationTokenSource _stopping = new();
    private LeaseDecision.Granted? _lease;
    private int _permits;
    private DateTimeOffset? _lastHandedOut;
    private LeaseSettlement? _unsettled;
    private int _realtimeStreak;
    private bool _refilling;
    private (DateTimeOffset Until, bool ForRealtime)? _ledgerFull;
    private CancellationTokenSource? _wakeForRealtime;
    private long _successful;
    private long _failed;
    private bool _disposed;

    public FleetRateLimiter(ILeaseSource source, RateLimitOptions options, TimeProvider clock, ILogger<FleetRateLimiter> logger)
    {
        _source = source;
        _options = options;
        _clock = clock;
        _logger = logger;
    }

    public override TimeSpan? IdleDuration => null;

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = LocalPermits(_clock.GetUtcNow()),
                CurrentQueuedCount = _waiters.Count,
                TotalSuccessfulLeases = _successful,
                TotalFailedLeases = _failed,
            };
        }
    }

    public override ValueTask<RateLimitLease> AcquireAsync(Lane lane, CancellationToken cancellationToken = default)
    {
        CancellationTokenSource? wake = null;
        ValueTask<RateLimitLease> result;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var ahead = lane == Lane.Realtime ? _waiters.RealtimeCount : _waiters.Count;
            if (ahead == 0 && TryTakeLocal(_clock.GetUtcNow()))
            {
                _successful++;
                return ValueTask.FromResult<RateLimitLease>(PermitLease.Acquired);
            }

            var waiter = _waiters.Enqueue(lane, 1, _lock, _ => _failed++, cancellationToken);
            if (lane == Lane.Realtime)
            {
                // The refill loop may be sleeping until bulk's reserve frees; realtime may go sooner.
                wake = _wakeForRealtime;
            }
            if (!_refilling)
            {
                _refilling = true;
                _ = Task.Run(RefillAsync);
            }
            result = waiter.Lease;
        }
        wake?.Cancel();
        return result;
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(permitCount, 1);
        return AcquireAsync(Lane.Realtime, cancellationToken);
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, 1);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _clock.GetUtcNow();
            if (permitCount == 0 ? LocalPermits(now) > 0 : _waiters.RealtimeCount == 0 && TryTakeLocal(now))
            {
                _successful++;
                return PermitLease.Acquired;
            }
            _failed++;
            return PermitLease.Refused(null);
        }
    }

    /// <summary>
    /// Zero while this instance holds permits or has not asked the ledger; after the ledger said it is full, the time
    /// until it said capacity frees (for realtime only when realtime waiters were part of that request, since the
    /// ledger keeps a reserve for realtime that bulk cannot use).
    /// </summary>
    public override TimeSpan NextPermitIn(Lane lane)
    {
        lock (_lock)
        {
            var now = _clock.GetUtcNow();
            if (LocalPermits(now) > 0 || _ledgerFull is not { } full || full.Until <= now || (lane == Lane.Realtime && !full.ForRealtime))
            {
                return TimeSpan.Zero;
            }
            return full.Until - now;
        }
    }

    private int LocalPermits(DateTimeOffset now) => _lease is { } lease && now < lease.ExpiresAt ? _permits : 0;

    private bool TryTakeLocal(DateTimeOffset now)
    {
        if (LocalPermits(now) == 0)
        {
            return false;
        }
        _permits--;
        _lastHandedOut = now;
        return true;
    }

    /// <summary>
    /// Ends the current lease (its permits are spent or expired, since waiters are left) and returns what to report
    /// to the ledger: this lease's settlement, or one from an earlier request that was not recorded yet.
    /// </summary>
    private LeaseSettlement? CloseLeaseLocked()
    {
        if (_lease is { } lease)
        {
            _unsettled = new LeaseSettlement(lease.LeaseId, lease.Total - _permits, _lastHandedOut);
            _lease = null;
            _permits = 0;
        }
        return _unsettled;
    }

    private async Task RefillAsync()
    {
        while (true)
        {
            int realtime, bulk;
            CancellationTokenSource? wake = null;
            LeaseSettlement? settlement = null;
            List<PermitWaiter> served;
            lock (_lock)
            {
                served = ServeLocked();
                _wakeForRealtime = null;
                realtime = Math.Min(_waiters.RealtimeCount, _options.MaxLease);
                bulk = Math.Min(_waiters.BulkCount, _options.MaxLease - realtime);
                if (_disposed || realtime + bulk == 0)
                {
                    _refilling = false;
                }
                else
                {
                    settlement = CloseLeaseLocked();
                    if (realtime == 0)
                    {
                        // Set before asking the ledger, so a realtime caller arriving meanwhile cannot be missed.
                        wake = new CancellationTokenSource();
                        _wakeForRealtime = wake;
                    }
                }
            }
            // Completed outside the lock: disposing a registration waits for a running cancellation callback, which takes the lock.
            foreach (var waiter in served)
            {
                waiter.Grant(PermitLease.Acquired);
            }
            if (realtime + bulk == 0 || _disposed)
            {
                return;
            }

            LeaseDecision decision;
            try
            {
                decision = await _source.LeaseAsync(realtime, bulk, settlement, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Fail closed: without the ledger nothing is sent; waiters time out and their messages go back.
                LogLedgerUnavailable(_logger, exception, exception.GetType().Name);
                await DelayUntilAsync(_clock.GetUtcNow() + StorageRetryDelay, null).ConfigureAwait(false);
                continue;
            }

            switch (decision)
            {
                case LeaseDecision.Granted granted:
                    lock (_lock)
                    {
                        // The write that granted this lease recorded the settlement it carried.
                        _unsettled = null;
                        _lease = granted;
                        _permits = granted.Total;
                        _lastHandedOut = null;
                        _ledgerFull = null;
                    }
                    LogLeaseGranted(_logger, granted.Realtime, granted.Bulk, granted.ExpiresAt);
                    break;

                case LeaseDecision.Full full:
                    lock (_lock)
                    {
                        _ledgerFull = (full.RetryAt, realtime > 0);
                    }
                    await DelayUntilAsync(full.RetryAt, wake).ConfigureAwait(false);
                    break;

                case LeaseDecision.Paused paused:
                    RefuseAll(paused.Until);
                    break;
            }
        }
    }

    private async Task DelayUntilAsync(DateTimeOffset until, CancellationTokenSource? wake)
    {
        using var stop = wake is null
            ? CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, wake.Token);
        try
        {
            var delay = Task.Delay(Max(until - _clock.GetUtcNow(), TimeSpan.Zero), _clock, stop.Token);
            // The clock may have moved on between reading it and arming the timer (a descheduled thread, or a test's
            // fake clock); a timer armed for a moment already past must not hold the loop for a second interval.
            if (_clock.GetUtcNow() >= until)
            {
                await stop.CancelAsync().ConfigureAwait(false);
            }
            await delay.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Time is up, woken for a realtime waiter, or stopping (the loop checks).
        }
    }

    private static TimeSpan Max(TimeSpan left, TimeSpan right) => left > right ? left : right;

    /// <summary>Hands local permits to waiters: realtime first, but one in <see cref="BulkEvery"/> to bulk while both wait.</summary>
    private List<PermitWaiter> ServeLocked()
    {
        List<PermitWaiter> served = [];
        var now = _clock.GetUtcNow();
        while (LocalPermits(now) > 0 && _waiters.Count > 0)
        {
            var bulkTurn = _waiters.BulkCount > 0 && (_waiters.RealtimeCount == 0 || _realtimeStreak >= BulkEvery - 1);
            var waiter = _waiters.Dequeue(bulkTurn ? Lane.Bulk : Lane.Realtime);
            _realtimeStreak = bulkTurn ? 0 : _realtimeStreak + 1;
            _permits--;
            _lastHandedOut = now;
            _successful++;
            served.Add(waiter);
        }
        return served;
    }

    private void RefuseAll(DateTimeOffset pausedUntil)
    {
        List<PermitWaiter> refused;
        lock (_lock)
        {
            // The lease this instance held was closed before it asked, so no permit of it is spent after the pause.
            refused = _waiters.TakeAll();
            _failed += refused.Count;
        }
        var lease = PermitLease.Refused(pausedUntil - _clock.GetUtcNow(), pausedUntil);
        foreach (var waiter in refused)
        {
            waiter.Grant(lease);
        }
        LogPaused(_logger, pausedUntil, refused.Count);
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }
        List<PermitWaiter> abandoned;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            abandoned = _waiters.TakeAll();
        }
        _stopping.Cancel();
        foreach (var waiter in abandoned)
        {
            waiter.Grant(PermitLease.Refused(null));
        }
    }

    protected override ValueTask DisposeAsyncCore()
    {
        Dispose(true);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 8010, EventName = "RateLedgerUnavailable", Level = LogLevel.Error, Message = "The fleet's rate-limit ledger is unreachable ({Failure}); nothing is sent until it is back")]
    private static partial void LogLedgerUnavailable(ILogger logger, Exception exception, string failure);

    [LoggerMessage(EventId = 8011, EventName = "RateLeaseGranted", Level = LogLevel.Debug, Message = "Leased {Realtime} realtime and {Bulk} bulk permits until {ExpiresAt}")]
    private static partial void LogLeaseGranted(ILogger logger, int realtime, int bulk, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 8012, EventName = "RateLeaseRefusedPaused", Level = LogLevel.Information, Message = "The account is paused until {PausedUntil}; {Waiters} waiting operations go back to their queues")]
    private static partial void LogPaused(ILogger logger, DateTimeOffset pausedUntil, int waiters);
}
