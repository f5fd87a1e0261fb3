namespace Libromi.Gateway.RateLimiting;

/// <summary>Where the fleet's permits come from: the shared ledger in storage (or, in tests, one in memory).</summary>
public interface ILeaseSource
{
    /// <summary>Asks for up to <paramref name="realtime"/> realtime and <paramref name="bulk"/> bulk permits. Throws when the ledger is unreachable.</summary>
    Task<LeaseDecision> LeaseAsync(int realtime, int bulk, CancellationToken cancellationToken = default);
}
