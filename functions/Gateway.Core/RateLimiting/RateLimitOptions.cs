using System.ComponentModel.DataAnnotations;

namespace Libromi.Gateway.RateLimiting;

/// <summary>How the gateway shares the Libromi account's limits between its instances. Section <c>RateLimit</c>.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimit";

    /// <summary>
    /// <see cref="RateLimitScope.Fleet"/> (default) keeps the limit in the storage account's <c>ratelimit</c> table, so
    /// every instance of both hosts shares it; <see cref="RateLimitScope.Instance"/> keeps it in memory, which is
    /// correct only when exactly one instance sends to the account.
    /// </summary>
    public RateLimitScope Scope { get; set; } = RateLimitScope.Fleet;

    /// <summary>
    /// Most permits one instance takes from the shared ledger in one round trip (it asks for as many as it has
    /// waiters). The default covers one listener's messages in flight (<c>Queues__BatchSize</c> 16 plus
    /// <c>Queues__NewBatchThreshold</c> 8), so a busy instance asks once per batch: fewer, larger leases mean fewer
    /// ledger writes and fewer conflicts between instances (docs/rate-limits.md, "What the ledger costs").
    /// </summary>
    [Range(1, 100)]
    public int MaxLease { get; set; } = 25;

    /// <summary>
    /// How long permits of one lease may be used; unused ones are dropped. It also bounds how late an instance
    /// holding a lease learns of another instance's pause after a 429.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan LeaseValidity { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Share of each window (per cent) that bulk imports leave to realtime operations, so a live webhook never waits behind an import.</summary>
    [Range(0, 50)]
    public int RealtimeReservePercent { get; set; } = 10;
}

public enum RateLimitScope
{
    /// <summary>One limit for every instance, kept in Azure Table storage.</summary>
    Fleet,
    /// <summary>An in-memory limit for a single instance.</summary>
    Instance,
}
