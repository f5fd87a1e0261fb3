using Azure.Core;
using Azure.Core.Pipeline;
using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.Benchmarks.Harness;

/// <summary>
/// Counts every request a host's storage clients send (retries included, hence per retry), so a drain can report
/// storage operations per delivered call: the figure that decides a fleet's storage bill and Azurite's load.
/// Requests to the rate-limit ledger's table are also counted on their own (<see cref="LedgerCount"/>).
/// </summary>
internal sealed class StorageRequestCounter : HttpPipelineSynchronousPolicy
{
    private long _count;
    private long _ledgerCount;
    private long _batchCount;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>
    /// Requests whose path names the <c>ratelimit</c> table or one of its entities: the ledger's reads and writes.
    /// Creating the table (<c>POST /Tables</c>, named only in the body) counts in <see cref="Count"/> alone; it happens
    /// once per fresh storage account.
    /// </summary>
    public long LedgerCount => Interlocked.Read(ref _ledgerCount);

    /// <summary>
    /// Entity group transactions (<c>POST /$batch</c>). In the pipeline benchmark (canonical contacts, no webhooks, no
    /// imports) only the trail writes them, so this is the trail's cost.
    /// </summary>
    public long BatchCount => Interlocked.Read(ref _batchCount);

    public override void OnSendingRequest(HttpMessage message)
    {
        Interlocked.Increment(ref _count);
        if (message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _batchCount);
        }
        if (IsLedger(message.Request.Uri.Path))
        {
            Interlocked.Increment(ref _ledgerCount);
        }
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _count, 0);
        Interlocked.Exchange(ref _ledgerCount, 0);
        Interlocked.Exchange(ref _batchCount, 0);
    }

    /// <summary>The last segment is <c>ratelimit</c> or <c>ratelimit(PartitionKey=...,RowKey=...)</c> (Azurite puts the account name first).</summary>
    private static bool IsLedger(string path)
    {
        var segment = path.AsSpan(path.LastIndexOf('/') + 1);
        return segment.StartsWith(FleetLedgerStore.TableName, StringComparison.Ordinal)
            && (segment.Length == FleetLedgerStore.TableName.Length || segment[FleetLedgerStore.TableName.Length] == '(');
    }
}
