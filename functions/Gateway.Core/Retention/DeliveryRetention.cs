using Azure.Data.Tables;
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
    public Task<int> SweepAsync(DateTimeOffset now, TimeSpan deduplicationWindow, DeleteBudget budget, CancellationToken cancellationToken)
    {
        var cutoff = RetentionPolicy.DeliveriesExpireAtOrBefore(now, deduplicationWindow);
        // The property name is part of the filter's text; only the value is a quoted literal.
        var filter = $"{DeliveryDeduplicator.SeenAtProperty} le {TableClient.CreateQueryFilter($"{cutoff}")}";
        return TableBatchDeleter.DeleteWhereAsync(_table, filter, budget, cancellationToken);
    }
}
