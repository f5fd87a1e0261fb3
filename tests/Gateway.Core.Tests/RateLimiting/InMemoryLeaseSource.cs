using System.Globalization;
using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.Tests.RateLimiting;

/// <summary>The fleet's ledger without storage, for the limiter's unit tests; <see cref="Failure"/> makes it unreachable.</summary>
internal sealed class InMemoryLeaseSource(LedgerLimits limits, TimeProvider clock) : ILeaseSource
{
    private readonly Lock _lock = new();

    public RateLedger Ledger { get; } = new(limits);

    public Exception? Failure { get; set; }

    public List<(int Realtime, int Bulk, LeaseSettlement? Settlement)> Requests { get; } = [];

    public Task<LeaseDecision> LeaseAsync(int realtime, int bulk, LeaseSettlement? settlement, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Requests.Add((realtime, bulk, settlement));
            if (Failure is { } failure)
            {
                return Task.FromException<LeaseDecision>(failure);
            }
            var now = clock.GetUtcNow();
            if (settlement is not null)
            {
                Ledger.Settle(now, settlement);
            }
            return Task.FromResult(Ledger.Lease(now, realtime, bulk, $"lease-{Requests.Count.ToString(CultureInfo.InvariantCulture)}"));
        }
    }
}
