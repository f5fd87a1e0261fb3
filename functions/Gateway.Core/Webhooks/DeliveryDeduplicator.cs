using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// Remembers which delivery identities an integration has already had enqueued, in the Azure Table
/// <c>deliveries</c>: PartitionKey = integration name, RowKey = <see cref="DeliveryIdentity.Key"/>, <c>SeenAt</c> = when
/// it was recorded. An entry older than <see cref="HookOptions.DeduplicationWindow"/> does not count.
/// </summary>
/// <remarks>
/// Check, enqueue, then record (<see cref="RecordAsync"/> only after every envelope of the delivery is stored), so a
/// redelivery after a storage failure goes through. The price is a race: two identical deliveries arriving within the
/// same few milliseconds both pass the check and are both enqueued. That duplicate reaches Libromi, whose attribute
/// update and staff assignment are idempotent, so it costs quota, never correctness. Reserving the identity first
/// (<c>AddEntity</c>, 409 = duplicate) would close the race but turn a failed enqueue followed by a failed
/// un-reservation into a lost delivery; at least once is the contract, so the gateway takes the duplicate.
/// A re-seen identity overwrites its entry (see docs/integrations/README.md); expired entries are deleted by the
/// retention sweep (<see cref="Retention.RetentionSweeper"/>), on the condition that they were not overwritten meanwhile.
/// </remarks>
public sealed class DeliveryDeduplicator(TableServiceClient tables, IOptions<HookOptions> options, TimeProvider timeProvider)
{
    public const string TableName = "deliveries";
    internal const string SeenAtProperty = "SeenAt";
    internal const string SourceProperty = "Source";

    // Azure Table queries allow at most 15 comparisons in one $filter: the PartitionKey and 14 RowKeys.
    private const int RowKeysPerQuery = 14;
    // An entity group transaction holds at most 100 operations on one partition.
    private const int EntitiesPerTransaction = 100;

    private readonly TableClient _table = tables.GetTableClient(TableName);

    public Task CreateTableIfNotExistsAsync(CancellationToken cancellationToken = default) =>
        _table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>The keys among <paramref name="keys"/> recorded for <paramref name="integration"/> within the window.</summary>
    public async Task<IReadOnlySet<string>> FindSeenAsync(string integration, IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var since = timeProvider.GetUtcNow() - options.Value.DeduplicationWindow;
        foreach (var chunk in keys.Distinct(StringComparer.Ordinal).Chunk(RowKeysPerQuery))
        {
            var rowKeys = string.Join(" or ", chunk.Select(key => TableClient.CreateQueryFilter($"RowKey eq {key}")));
            var filter = $"{TableClient.CreateQueryFilter($"PartitionKey eq {integration}")} and ({rowKeys})";
            try
            {
                await foreach (var entity in _table.QueryAsync<TableEntity>(filter, select: ["RowKey", SeenAtProperty], cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    if (entity.GetDateTimeOffset(SeenAtProperty) is { } seenAt && seenAt > since)
                    {
                        seen.Add(entity.RowKey);
                    }
                }
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == TableErrorCode.TableNotFound)
            {
                // Storage was down when the host started, so the table is not there yet: nothing has been recorded.
                return seen;
            }
        }
        return seen;
    }

    /// <summary>Records <paramref name="identities"/> as seen now. Idempotent: an identity recorded twice keeps the later time.</summary>
    public async Task RecordAsync(string integration, IEnumerable<DeliveryIdentity> identities, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var actions = identities
            .DistinctBy(i => i.Key, StringComparer.Ordinal)
            .Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(integration, i.Key)
            {
                [SeenAtProperty] = now,
                [SourceProperty] = i.Source,
            }))
            .ToList();
        foreach (var chunk in actions.Chunk(EntitiesPerTransaction))
        {
            try
            {
                await _table.SubmitTransactionAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == TableErrorCode.TableNotFound)
            {
                await _table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
                await _table.SubmitTransactionAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
