namespace Libromi.Gateway.RateLimiting;

/// <summary>Where the fleet's permits come from: the shared ledger in storage (or, in tests, one in memory).</summary>
public interface ILeaseSource
{
    /// <summary>
    /// Asks for up to <paramref name="realtime"/> realtime and <paramref name="bulk"/> bulk permits, reporting what
    /// became of the previous lease (<paramref name="settlement"/>, if any). A settlement is certainly recorded once a
    /// lease is granted; otherwise report it again with the next request (settling twice changes nothing).
    /// Throws when the ledger is unreachable.
    /// </summary>
    Task<LeaseDecision> LeaseAsync(int realtime, int bulk, LeaseSettlement? settlement, CancellationToken cancellationToken = default);
}
