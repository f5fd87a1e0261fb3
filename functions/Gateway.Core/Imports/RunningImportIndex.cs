using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace Libromi.Gateway.Imports;

/// <summary>
/// The imports that may still have rows to deliver, apart from the imports themselves, so the status page finds them
/// with one small query instead of reading every import's partition: partition <see cref="Partition"/> of the
/// <c>imports</c> table, one row per import, added once the import is queued and removed once it is finished or gone
/// (by the status page when it sees that, and by the retention sweep when it deletes the import).
/// </summary>
/// <remarks>
/// <see cref="Partition"/> can never be an import id (those are 32 lowercase hex digits), and no row of it is ever
/// <see cref="ImportTable.HeaderKey"/>, so nothing that looks for imports by their header finds it. The row key is
/// the import id with every hex digit complemented: ids are version 7 GUIDs, ordered by time, so the service returns
/// the newest import first.
/// </remarks>
public sealed class RunningImportIndex(ImportTable table)
{
    public const string Partition = "running";

    private TableClient Table => table.Client;

    private const string HexDigits = "0123456789abcdef";

    /// <summary>The id with each hex digit d written as 15 − d, so ascending row keys are descending ids.</summary>
    public static string RowKeyOf(string importId) => string.Create(importId.Length, importId, static (key, id) =>
    {
        for (var i = 0; i < id.Length; i++)
        {
            var digit = HexDigits.IndexOf(id[i], StringComparison.Ordinal);
            key[i] = digit < 0 ? id[i] : HexDigits[15 - digit];
        }
    });

    /// <summary>Lists a queued import; writing it again changes nothing.</summary>
    public Task AddAsync(ImportHeader queued, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(new TableEntity(Partition, RowKeyOf(queued.ImportId))
        {
            ["ImportId"] = queued.ImportId,
            ["Total"] = queued.Accepted,
            ["Chunks"] = queued.Chunks,
            ["QueuedAt"] = queued.QueuedAt,
        }, TableUpdateMode.Replace, cancellationToken);

    /// <summary>The newest <paramref name="count"/> entries at most: one request, whatever the index holds.</summary>
    public async Task<IReadOnlyList<RunningImportEntry>> ReadNewestAsync(int count, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        try
        {
            await foreach (var page in Table.QueryAsync<TableEntity>(filter, maxPerPage: count, select: ["ImportId", "Total", "Chunks", "QueuedAt"], cancellationToken: cancellationToken)
                .AsPages(pageSizeHint: count).ConfigureAwait(false))
            {
                return [.. page.Values.Select(Entry)];
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == TableErrorCode.TableNotFound)
        {
            // No import was ever received here.
        }
        return [];
    }

    /// <summary>Unlists an import; one already unlisted (by another poll, or the sweep) is fine.</summary>
    public async Task RemoveAsync(string importId, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(Partition, RowKeyOf(importId), ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone.
        }
    }

    private static RunningImportEntry Entry(TableEntity entity) => new(
        entity.GetString("ImportId") ?? "",
        entity.GetInt32("Total") ?? 0,
        entity.GetInt32("Chunks") ?? 0,
        entity.GetDateTimeOffset("QueuedAt"));
}

/// <summary>What the index says of an import: its accepted rows and staged chunks when it was queued.</summary>
public sealed record RunningImportEntry(string ImportId, int Total, int Chunks, DateTimeOffset? QueuedAt);
