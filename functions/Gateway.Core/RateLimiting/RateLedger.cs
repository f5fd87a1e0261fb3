namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// The fleet's record of permits granted against the Libromi account, small enough for one table entity:
/// per-second counts for the minute window, per-minute counts for the hour window, and the account-wide pause.
/// </summary>
/// <remarks>
/// A lease is stamped with its expiry time, not its grant time: every call made under it is made no later than
/// the stamp, so it stays in the ledger for at least one full window (plus the margin) after it reached Libromi.
/// With conservative eviction, no sliding window at Libromi can see more calls than the limit, whichever
/// instances made them, and the unused permits of a crashed instance come back one window after its lease expired.
/// </remarks>
public sealed class RateLedger
{
    private readonly LedgerLimits _limits;
    private readonly BucketLog _minute;
    private readonly BucketLog _hour;

    public RateLedger(LedgerLimits limits)
    {
        _limits = limits;
        _minute = new BucketLog(limits.PerMinute, TimeSpan.FromMinutes(1) + LibromiRateLimiterFactory.WindowMargin, TimeSpan.FromSeconds(1));
        _hour = new BucketLog(limits.PerHour, TimeSpan.FromHours(1) + LibromiRateLimiterFactory.WindowMargin, TimeSpan.FromMinutes(1));
    }

    public DateTimeOffset? PausedUntil { get; private set; }

    public string? PauseReason { get; private set; }

    /// <summary>Permits counted in the minute window (conservatively: whole buckets).</summary>
    public int MinuteCount => _minute.Count;

    public int HourCount => _hour.Count;

    public string MinuteBuckets => _minute.ToString();

    public string HourBuckets => _hour.ToString();

    public static RateLedger Load(LedgerLimits limits, string? minuteBuckets, string? hourBuckets, DateTimeOffset? pausedUntil, string? pauseReason)
    {
        var ledger = new RateLedger(limits) { PausedUntil = pausedUntil, PauseReason = pauseReason };
        ledger._minute.Load(minuteBuckets);
        ledger._hour.Load(hourBuckets);
        return ledger;
    }

    /// <summary>
    /// Grants up to <paramref name="realtime"/> + <paramref name="bulk"/> permits. Realtime may use every permit;
    /// bulk only those above the realtime reserve, so a live operation finds capacity even during an import.
    /// </summary>
    public LeaseDecision Lease(DateTimeOffset now, int realtime, int bulk)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        _minute.Evict(nowMs);
        _hour.Evict(nowMs);
        if (PausedUntil is { } until && until > now)
        {
            return new LeaseDecision.Paused(until, PauseReason);
        }

        var minuteReserve = _limits.BulkReserve(_minute.Limit);
        var hourReserve = _limits.BulkReserve(_hour.Limit);
        var grantRealtime = Math.Min(realtime, Math.Min(_minute.Available(0), _hour.Available(0)));
        var grantBulk = Math.Clamp(Math.Min(_minute.Available(minuteReserve), _hour.Available(hourReserve)) - grantRealtime, 0, bulk);
        if (grantRealtime + grantBulk == 0)
        {
            var (minuteReserveNeeded, hourReserveNeeded) = realtime > 0 ? (0, 0) : (minuteReserve, hourReserve);
            var freesAt = Math.Max(
                _minute.FreesAt(nowMs, 1, minuteReserveNeeded) ?? nowMs + (long)TimeSpan.FromMinutes(1).TotalMilliseconds,
                _hour.FreesAt(nowMs, 1, hourReserveNeeded) ?? nowMs + (long)TimeSpan.FromHours(1).TotalMilliseconds);
            return new LeaseDecision.Full(DateTimeOffset.FromUnixTimeMilliseconds(freesAt));
        }

        var expiresAt = now + _limits.LeaseValidity;
        var stampMs = expiresAt.ToUnixTimeMilliseconds();
        _minute.Add(stampMs, grantRealtime + grantBulk);
        _hour.Add(stampMs, grantRealtime + grantBulk);
        return new LeaseDecision.Granted(grantRealtime, grantBulk, expiresAt);
    }

    /// <summary>Pauses the account until <paramref name="until"/>; a pause only ever moves later. False if nothing changed.</summary>
    public bool Pause(DateTimeOffset until, string reason)
    {
        if (PausedUntil is { } current && current >= until)
        {
            return false;
        }
        PausedUntil = until;
        PauseReason = reason;
        return true;
    }
}
