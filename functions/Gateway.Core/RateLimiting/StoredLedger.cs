namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// A <see cref="RateLedger"/> as the <c>ratelimit</c> entity stores it, one string per property (docs/rate-limits.md).
/// <paramref name="MinuteLatest"/>, <paramref name="HourLatest"/> and <paramref name="Leases"/> only ever let
/// permits leave earlier; a ledger without them (written by an older gateway) is read conservatively.
/// </summary>
public sealed record StoredLedger(
    string? Minute,
    string? MinuteLatest,
    string? Hour,
    string? HourLatest,
    string? Leases,
    DateTimeOffset? PausedUntil,
    string? PauseReason)
{
    public static StoredLedger Empty { get; } = new(null, null, null, null, null, null, null);
}
