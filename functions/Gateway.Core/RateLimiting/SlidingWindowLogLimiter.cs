using System.Threading.RateLimiting;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// An exact sliding-window limiter: a permit is granted only while fewer than <c>permitLimit</c> permits were
/// granted in the last <c>window</c>, measured on a <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// Why not <see cref="SlidingWindowRateLimiter"/>: it counts in segments, so a permit can come back up to one
/// segment early (a 60-second window with 6 segments lets 2×limit through in 50 seconds), and it reads
/// <c>Stopwatch</c> directly, so it cannot run on a FakeTimeProvider in tests. Libromi's windows are assumed
/// sliding (docs/libromi-api.md, "Unknowns"), and a 429 pauses the whole account, so the gateway keeps an exact log of grant
/// times instead: one <see cref="long"/> per permit of the limit (80 KB for 10,000 an hour).
/// Waiters queue by lane: realtime ones are served before bulk ones that arrived earlier; a lane-blind request is realtime.
/// </remarks>
public sealed class SlidingWindowLogLimiter : RateLimiter
{
    private readonly int _permitLimit;
    private readonly long _windowTicks;
    private readonly int _queueLimit;
    private readonly TimeProvider _timeProvider;
    private readonly long[] _grants;
    private readonly LaneWaiters _waiters = new();
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private int _oldest;
    private int _count;
    private int _queuedPermits;
    private int _queuedRealtimePermits;
    private long _successfulLeases;
    private long _failedLeases;
    private bool _disposed;

    public SlidingWindowLogLimiter(int permitLimit, TimeSpan window, TimeProvider timeProvider, int queueLimit = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permitLimit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _permitLimit = permitLimit;
        _windowTicks = window.Ticks;
        _queueLimit = queueLimit;
        _timeProvider = timeProvider;
        _grants = new long[permitLimit];
        _timer = timeProvider.CreateTimer(static state => ((SlidingWindowLogLimiter)state!).ServeWaiters(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public override TimeSpan? IdleDuration => null;

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            Evict(Now);
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _permitLimit - _count,
                CurrentQueuedCount = _queuedPermits,
                TotalSuccessfulLeases = _successfulLeases,
                TotalFailedLeases = _failedLeases,
            };
        }
    }

    /// <summary>How long until one more permit is granted in <paramref name="lane"/>, after the waiters that would go first.</summary>
    public TimeSpan NextPermitIn(Lane lane)
    {
        lock (_lock)
        {
            var now = Now;
            Evict(now);
            return RetryAfter(1, now, QueuedAhead(lane));
        }
    }

    /// <summary>One permit for <paramref name="lane"/>: realtime waiters go ahead of bulk ones that are already queued.</summary>
    public ValueTask<RateLimitLease> AcquireAsync(Lane lane, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Acquire(1, lane, cancellationToken);
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, _permitLimit);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = Now;
            if (_waiters.Count == 0 && TryGrant(permitCount, now))
            {
                return PermitLease.Acquired;
            }
            _failedLeases++;
            return PermitLease.Refused(RetryAfter(permitCount, now, _queuedPermits));
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        Acquire(permitCount, Lane.Realtime, cancellationToken);

    private ValueTask<RateLimitLease> Acquire(int permitCount, Lane lane, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, _permitLimit);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = Now;
            if (QueuedAhead(lane) == 0 && TryGrant(permitCount, now))
            {
                return ValueTask.FromResult<RateLimitLease>(PermitLease.Acquired);
            }
            if (_queuedPermits + permitCount > _queueLimit)
            {
                _failedLeases++;
                return ValueTask.FromResult<RateLimitLease>(PermitLease.Refused(RetryAfter(permitCount, now, QueuedAhead(lane))));
            }

            _queuedPermits += permitCount;
            if (lane == Lane.Realtime)
            {
                _queuedRealtimePermits += permitCount;
            }
            var waiter = _waiters.Enqueue(lane, permitCount, _lock, lane == Lane.Realtime ? CancelledRealtime : Cancelled, cancellationToken);
            ScheduleNextServe(now);
            return waiter.Lease;
        }
    }

    /// <summary>Permits queued that would be served before a new request in <paramref name="lane"/>.</summary>
    private int QueuedAhead(Lane lane) => lane == Lane.Realtime ? _queuedRealtimePermits : _queuedPermits;

    private long Now => _timeProvider.GetUtcNow().UtcTicks;

    private void Evict(long now)
    {
        while (_count > 0 && _grants[_oldest] <= now - _windowTicks)
        {
            _oldest = (_oldest + 1) % _permitLimit;
            _count--;
        }
    }

    private bool TryGrant(int permitCount, long now)
    {
        Evict(now);
        if (_permitLimit - _count < permitCount)
        {
            return false;
        }
        for (var i = 0; i < permitCount; i++)
        {
            _grants[(_oldest + _count) % _permitLimit] = now;
            _count++;
        }
        _successfulLeases++;
        return true;
    }

    /// <summary>When enough of the oldest grants will have left the window for <paramref name="permitCount"/> more.</summary>
    private TimeSpan RetryAfter(int permitCount, long now, int queuedAhead)
    {
        var mustExpire = _count + queuedAhead + permitCount - _permitLimit;
        if (mustExpire <= 0)
        {
            return TimeSpan.Zero;
        }
        if (mustExpire > _count)
        {
            // Queued requests ahead of this one need permits not yet granted: at least one more window.
            return TimeSpan.FromTicks(_windowTicks);
        }
        var expiresAt = _grants[(_oldest + mustExpire - 1) % _permitLimit] + _windowTicks;
        return TimeSpan.FromTicks(Math.Max(0, expiresAt - now));
    }

    private void ScheduleNextServe(long now)
    {
        if (_waiters.Count == 0 || _count == 0)
        {
            return;
        }
        var due = Math.Max(0, _grants[_oldest] + _windowTicks - now);
        _timer.Change(TimeSpan.FromTicks(due), Timeout.InfiniteTimeSpan);
    }

    private void ServeWaiters()
    {
        List<PermitWaiter> granted = [];
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            var now = Now;
            // Realtime first: a bulk waiter is served only once no realtime one is queued.
            while (_waiters.RealtimeFirstLane is { } lane && TryGrant(_waiters.Peek(lane).PermitCount, now))
            {
                var waiter = _waiters.Dequeue(lane);
                _queuedPermits -= waiter.PermitCount;
                if (lane == Lane.Realtime)
                {
                    _queuedRealtimePermits -= waiter.PermitCount;
                }
                granted.Add(waiter);
            }
            ScheduleNextServe(now);
        }
        // Complete outside the lock: continuations may call back into the limiter.
        foreach (var waiter in granted)
        {
            waiter.Grant(PermitLease.Acquired);
        }
    }

    /// <summary>Under the lock, once a cancelled waiter has left the realtime queue.</summary>
    private void CancelledRealtime(PermitWaiter waiter)
    {
        _queuedRealtimePermits -= waiter.PermitCount;
        Cancelled(waiter);
    }

    /// <summary>Under the lock, once a cancelled waiter has left its queue.</summary>
    private void Cancelled(PermitWaiter waiter)
    {
        _queuedPermits -= waiter.PermitCount;
        _failedLeases++;
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
            _queuedPermits = 0;
            _queuedRealtimePermits = 0;
        }
        _timer.Dispose();
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
}
