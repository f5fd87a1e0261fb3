using Libromi.Gateway.Libromi;

namespace Libromi.Gateway.RateLimiting;

/// <summary>The account's limits and the fleet's lease rules, as the shared ledger applies them.</summary>
public sealed record LedgerLimits(int PerMinute, int PerHour, TimeSpan LeaseValidity, int RealtimeReservePercent)
{
    public static LedgerLimits From(LibromiClientOptions libromi, RateLimitOptions rateLimit) =>
        new(libromi.RequestsPerMinute, libromi.RequestsPerHour, rateLimit.LeaseValidity, rateLimit.RealtimeReservePercent);

    /// <summary>Permits of a window bulk must leave to realtime; never the whole window, so bulk cannot starve.</summary>
    internal int BulkReserve(int limit) =>
        Math.Min(limit - 1, (int)Math.Ceiling(limit * RealtimeReservePercent / 100.0));
}
