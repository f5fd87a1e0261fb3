namespace Libromi.Gateway.RateLimiting;

/// <summary>What the shared ledger answered to a request for permits.</summary>
public abstract record LeaseDecision
{
    private LeaseDecision()
    {
    }

    /// <summary>
    /// Permits to use before <paramref name="ExpiresAt"/>; the ledger counts them as spent at that time until the
    /// lease is settled under <paramref name="LeaseId"/> (<see cref="LeaseSettlement"/>).
    /// </summary>
    public sealed record Granted(int Realtime, int Bulk, DateTimeOffset ExpiresAt, string LeaseId) : LeaseDecision
    {
        public int Total => Realtime + Bulk;
    }

    /// <summary>
    /// Both windows allow nothing more until <paramref name="RetryAt"/>. Only a settlement by another instance can
    /// free capacity earlier, so waiting until then misses at most an opportunity, never the limit.
    /// </summary>
    public sealed record Full(DateTimeOffset RetryAt) : LeaseDecision;

    /// <summary>Libromi answered 429 to some instance: nobody sends until <paramref name="Until"/>.</summary>
    public sealed record Paused(DateTimeOffset Until, string? Reason) : LeaseDecision;
}
