using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Libromi.Gateway.Webhooks;

namespace Libromi.Gateway.Retention;

/// <summary>
/// Deletes webhook delivery identities (table <c>deliveries</c>) whose deduplication window has passed. One query
/// asks the service for just those rows (<c>SeenAt</c> at or before the cutoff, keys only), oldest partitions
/// first as the service returns them; identities inside the window are never read.
/// </summary>
/// <remarks>
/// The filter is on <c>SeenAt</c>, the time the deduplicator itself compares, rather than the service's
/// <c>Timestamp</c>: they differ by the write's latency, and only <c>SeenAt</c> follows the gateway's clock.
/// </remarks>
internal sealed class DeliveryRetention(TableServiceClient tables)
{
    private readonly TableClient _table = tables.GetTableClient(DeliveryDeduplicator.TableName);

    /// <returns>Identities deleted.</returns>
    public async Task<int> SweepAsync(DateTimeOffset now, TimeSpan deduplicationWindow, DeleteBudget budget, CancellationToken cancellationToken)
    {
        var cutoff = RetentionPolicy.DeliveriesExpireAtOrBefore(now, deduplicationWindow);
        // The property name is part of the filter's text; only the value is a quoted literal.
        var filter = $"{DeliveryDeduplicator.SeenAtProperty} le {TableClient.CreateQueryFilter($"{cutoff}")}";
        var deleter = new TableBatchDeleter(_table, budget);
        try
        {
            await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (!await deleter.AddAsync(row, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == TableErrorCode.TableNotFound)
        {
            return 0; // no webhook was ever recorded here
        }
        await deleter.FlushAsync(cancellationToken).ConfigureAwait(false);
        return deleter.Deleted;
    }
}
