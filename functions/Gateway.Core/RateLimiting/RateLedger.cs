using System.Globalization;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// The fleet's record of permits granted against the Libromi account, small enough for one table entity:
/// per-second counts for the minute window, per-minute counts for the hour window, the leases not settled yet,
/// and the account-wide pause.
/// </summary>
/// <remarks>
/// A lease is stamped with its expiry time, not its grant time: every call made under it is made no later than
/// the stamp, so it stays in the ledger for at least one full window (plus the margin) after it reached Libromi.
/// When the instance reports how many permits it used and when it used the last one (<see cref="Settle"/>), the
/// used permits move to that time and the unused ones go: still no later than any call made under the lease.
/// With conservative eviction, no sliding window at Libromi can see more calls than the limit, whichever
/// instances made them, and the permits of a crashed instance (never settled) come back one window after its
/// lease expired.
/// </remarks>
public sealed class RateLedger
{
    /// <summary>How long a permit counts against the minute limit: Libromi's 60 seconds and the margin.</summary>
    public static readonly TimeSpan MinuteWindow = TimeSpan.FromMinutes(1) + LibromiRateLimiterFactory.WindowMargin;

    /// <summary>How long a permit counts against the hourly limit.</summary>
    public static readonly TimeSpan HourWindow = TimeSpan.FromHours(1) + LibromiRateLimiterFactory.WindowMargin;

    private readonly LedgerLimits _limits;
    private readonly BucketLog _minute;
    private readonly BucketLog _hour;
    private readonly List<OpenLease> _open = [];

    public RateLedger(LedgerLimits limits)
    {
        _limits = limits;
        _minute = new BucketLog(limits.PerMinute, MinuteWindow, TimeSpan.FromSeconds(1));
        _hour = new BucketLog(limits.PerHour, HourWindow, TimeSpan.FromMinutes(1));
    }

    public DateTimeOffset? PausedUntil { get; private set; }

    public string? PauseReason { get; private set; }

    /// <summary>Permits counted in the minute window (conservatively: whole buckets).</summary>
    public int MinuteCount => _minute.Count;

    public int HourCount => _hour.Count;

    /// <summary>Leases granted and not settled yet (their permits still stamped at their expiry).</summary>
    public int OpenLeaseCount => _open.Count;

    public static RateLedger Load(LedgerLimits limits, StoredLedger stored)
    {
        var ledger = new RateLedger(limits) { PausedUntil = stored.PausedUntil, PauseReason = stored.PauseReason };
        ledger._minute.Load(stored.Minute, stored.MinuteLatest);
        ledger._hour.Load(stored.Hour, stored.HourLatest);
        foreach (var entry in (stored.Leases ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            ledger._open.Add(OpenLease.Parse(entry));
        }
        return ledger;
    }

    public StoredLedger ToStored() => new(
        _minute.ToString(), _minute.LatestStamps(), _hour.ToString(), _hour.LatestStamps(),
        string.Join(',', _open), PausedUntil, PauseReason);

    /// <summary>
    /// Grants up to <paramref name="realtime"/> + <paramref name="bulk"/> permits. Realtime may use every permit;
    /// bulk only those above the realtime reserve, so a live operation finds capacity even during an import.
    /// The lease is remembered as <paramref name="leaseId"/> until it is settled or its expiry leaves the minute window.
    /// </summary>
    public LeaseDecision Lease(DateTimeOffset now, int realtime, int bulk, string leaseId)
    {
        OpenLease.Validate(leaseId);
        var nowMs = Evict(now);
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
        var stampMs = CeilingMs(expiresAt);
        var total = grantRealtime + grantBulk;
        _minute.Add(stampMs, total);
        _hour.Add(stampMs, total);
        _open.Add(new OpenLease(leaseId, stampMs, total));
        return new LeaseDecision.Granted(grantRealtime, grantBulk, expiresAt, leaseId);
    }

    /// <summary>
    /// Re-stamps a finished lease: its used permits move from the lease's expiry to the time the last of them was
    /// used (never later than the expiry), and its unused permits are dropped. Settling twice changes nothing.
    /// False when there was nothing to settle: the lease is unknown, already settled, or so old that its expiry has
    /// left the minute window (the hour window then keeps it at its expiry, which only overstates).
    /// </summary>
    public bool Settle(DateTimeOffset now, LeaseSettlement settlement)
    {
        var nowMs = Evict(now);
        var index = _open.FindIndex(lease => lease.Id == settlement.LeaseId);
        if (index < 0)
        {
            return false;
        }
        var lease = _open[index];
        _open.RemoveAt(index);
        var used = Math.Clamp(settlement.Used, 0, lease.Permits);
        var stampMs = Math.Min(settlement.LastUsedAt is { } lastUse ? CeilingMs(lastUse) : lease.ExpiresMs, lease.ExpiresMs);
        foreach (var log in (ReadOnlySpan<BucketLog>)[_minute, _hour])
        {
            log.Remove(lease.ExpiresMs, lease.Permits);
            if (used > 0)
            {
                log.Add(stampMs, used);
            }
            log.Evict(nowMs);
        }
        return true;
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

    /// <summary>Stamps round up to the millisecond (a stamp must never precede the call it stands for); "now" rounds down.</summary>
    private static long CeilingMs(DateTimeOffset time)
    {
        var ms = time.ToUnixTimeMilliseconds();
        return time > DateTimeOffset.FromUnixTimeMilliseconds(ms) ? ms + 1 : ms;
    }

    private long Evict(DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        _minute.Evict(nowMs);
        _hour.Evict(nowMs);
        _open.RemoveAll(lease => _minute.HasLeft(lease.ExpiresMs, nowMs));
        return nowMs;
    }

    /// <summary>A lease whose permits are still stamped at its expiry, stored as "id:expiryUnixMs:permits".</summary>
    private sealed record OpenLease(string Id, long ExpiresMs, int Permits)
    {
        public static void Validate(string id)
        {
            ArgumentException.ThrowIfNullOrEmpty(id);
            if (id.AsSpan().IndexOfAny(':', ',') >= 0)
            {
                throw new ArgumentException("A lease id may not contain ':' or ','.", nameof(id));
            }
        }

        public static OpenLease Parse(string text)
        {
            var parts = text.Split(':');
            return new OpenLease(parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Id}:{ExpiresMs}:{Permits}");
    }
}
