using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Libromi.Gateway.Imports;

namespace Libromi.Gateway.Retention;

/// <summary>
/// Deletes the partitions of finished imports (table <c>imports</c>) once <see cref="RetentionOptions.FinishedImports"/>
/// has passed since their last row finished: staged payloads, checkpoints, failed rows, header last.
/// </summary>
/// <remarks>
/// Candidates are the headers received before the cutoff (an import that finished after the cutoff was received
/// before it too), found with one query for <c>RowKey eq 'import'</c>; import ids are version 7 GUIDs, so the oldest
/// come first. Each candidate costs one page per 1,000 chunks to read its checkpoints (a projection, no payloads),
/// which <see cref="RetentionPolicy.JudgeImport"/> judges. An import to delete is first marked
/// <see cref="ImportStatus.Expired"/>: its progress answers 404 at once, and a sweep cut short (budget spent, crash,
/// another instance in the way) leaves the marked header last, so the next sweep finds it and finishes. Its entry in
/// <see cref="RunningImportIndex"/> goes too; that partition has no header row, so the query never takes it for an import.
/// </remarks>
internal sealed class ImportRetention(ImportTable imports)
{
    private readonly RunningImportIndex _runningImports = new(imports);

    private TableClient Table => imports.Client;

    /// <returns>Imports deleted completely, and imports still being deleted when the sweep stopped.</returns>
    public async Task<(int Deleted, int Unfinished)> SweepAsync(DateTimeOffset now, TimeSpan retention, DeleteBudget budget, CancellationToken cancellationToken)
    {
        var receivedBefore = RetentionPolicy.ImportsReceivedAtOrBefore(now, retention);
        var filter = TableClient.CreateQueryFilter($"RowKey eq {ImportTable.HeaderKey} and ReceivedAt le {receivedBefore}");
        var deleted = 0;
        var unfinished = 0;
        try
        {
            await foreach (var header in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", "Status", "ReceivedAt", "QueuedAt"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (budget.IsSpent)
                {
                    break;
                }
                var facts = new ImportFacts(
                    header.GetString("Status") ?? ImportStatus.Receiving,
                    header.GetDateTimeOffset("ReceivedAt") ?? DateTimeOffset.MinValue,
                    header.GetDateTimeOffset("QueuedAt"),
                    await ReadChunksAsync(header.PartitionKey, cancellationToken).ConfigureAwait(false));
                if (RetentionPolicy.JudgeImport(facts, now, retention) != ImportFate.Delete)
                {
                    continue;
                }
                if (await DeleteAsync(header, facts.Status, budget, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }
                else
                {
                    unfinished++;
                }
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == TableErrorCode.TableNotFound)
        {
            // No import was ever received here.
        }
        return (deleted, unfinished);
    }

    private async Task<IReadOnlyList<ChunkFacts>> ReadChunksAsync(string importId, CancellationToken cancellationToken)
    {
        var chunks = new List<ChunkFacts>();
        await foreach (var chunk in imports.ReadChunkProgressAsync(importId, cancellationToken).ConfigureAwait(false))
        {
            chunks.Add(new ChunkFacts(chunk.GetInt32("Rows"), chunk.GetInt32("Processed") ?? 0, chunk.GetDateTimeOffset("LastAt")));
        }
        return chunks;
    }

    /// <summary>True when the whole partition is gone (or was already); false when the sweep has to come back for it.</summary>
    private async Task<bool> DeleteAsync(TableEntity header, string status, DeleteBudget budget, CancellationToken cancellationToken)
    {
        var importId = header.PartitionKey;
        if (status != ImportStatus.Expired)
        {
            try
            {
                await imports.MarkExpiredAsync(importId, header.ETag, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                return false; // gone, or changed since judged: judged again next time
            }
        }

        // Unlisted from the status page first: its entry (if a poll has not removed it already) is in another
        // partition, and a sweep cut short after this point finds the expired header and comes back anyway.
        if (!budget.TryTake())
        {
            return false;
        }
        await _runningImports.RemoveAsync(importId, cancellationToken).ConfigureAwait(false);

        var deleter = new TableBatchDeleter(Table, budget);
        var rest = TableClient.CreateQueryFilter($"PartitionKey eq {importId} and RowKey ne {ImportTable.HeaderKey}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(rest, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!await deleter.AddAsync(entity, cancellationToken).ConfigureAwait(false))
            {
                break;
            }
        }
        await deleter.FlushAsync(cancellationToken).ConfigureAwait(false);
        // The header goes last and only after everything else did; the budget stops the sweep before it otherwise.
        if (deleter.LeftInPlace > 0 || !budget.TryTake())
        {
            return false;
        }
        try
        {
            await Table.DeleteEntityAsync(importId, ImportTable.HeaderKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Another sweep finished it first.
        }
        return true;
    }
}
