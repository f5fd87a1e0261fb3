using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.Tests.RateLimiting;

/// <summary>The fleet's ledger without storage, for the limiter's unit tests; <see cref="Failure"/> makes it unreachable.</summary>
internal sealed class InMemoryLeaseSource(LedgerLimits limits, TimeProvider clock) : ILeaseSource
{
    private readonly Lock _lock = new();

    public RateLedger Ledger { get; } = new(limits);

    public Exception? Failure { get; set; }

    public List<(int Realtime, int Bulk)> Requests { get; } = [];

    public Task<LeaseDecision> LeaseAsync(int realtime, int bulk, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Requests.Add((realtime, bulk));
            return Failure is { } failure ? Task.FromException<LeaseDecision>(failure) : Task.FromResult(Ledger.Lease(clock.GetUtcNow(), realtime, bulk));
        }
    }
}
