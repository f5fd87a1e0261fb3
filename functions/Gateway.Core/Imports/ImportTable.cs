using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Libromi.Gateway.Storage;

namespace Libromi.Gateway.Imports;

/// <summary>
/// The <c>imports</c> table: one partition per import. Row keys:
/// <list type="bullet">
/// <item><c>import</c>: the header, written when the upload starts and when it is queued (never by the processor);</item>
/// <item><c>chunk-NNNNNN</c>: one staged message (its payload) and its delivery checkpoint, written only by
/// whoever holds that message, so no entity is shared by concurrent writers;</item>
/// <item><c>failed-NNNNNNNNN</c>: one per row Libromi refused (by file line), written once, idempotently.</item>
/// </list>
/// Progress is the sum over chunks, aggregated on read (docs/imports.md explains why there is no counter entity).
/// </summary>
public sealed class ImportTable(TableServiceClient tableService)
{
    public const string TableName = "imports";
    public const string HeaderKey = "import";
    public const string ChunkPrefix = "chunk-";
    public const string FailedPrefix = "failed-";

    // Azure Tables: at most 100 entities and 4 MB per transaction. Payloads travel Base64 in the batch body.
    private const int MaxBatchEntities = 100;
    private const int MaxBatchPayloadBytes = 2 * 1024 * 1024;

    private readonly TableClient _table = tableService.GetTableClient(TableName);
    private Task? _created;

    public TableClient Client => _table;

    public static string ChunkKey(int chunk) => ChunkPrefix + chunk.ToString("D6", CultureInfo.InvariantCulture);

    public static string FailedKey(int line) => FailedPrefix + line.ToString("D9", CultureInfo.InvariantCulture);

    /// <summary>Creates the table once per process (in Azure the template may already have).</summary>
    public Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var created = _created;
        if (created is { IsCompletedSuccessfully: true })
        {
            return created;
        }
        created = _table.CreateIfNotExistsAsync(cancellationToken);
        _created = created;
        return created;
    }

    public async Task AddHeaderAsync(ImportHeader header, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        await _table.AddEntityAsync(header.ToEntity(), cancellationToken).ConfigureAwait(false);
    }

    public Task UpdateHeaderAsync(ImportHeader header, CancellationToken cancellationToken) =>
        _table.UpsertEntityAsync(header.ToEntity(), TableUpdateMode.Replace, cancellationToken);

    /// <summary>
    /// Marks the header <see cref="ImportStatus.Expired"/> before the retention sweep deletes the partition, so the
    /// progress answers 404 at once and a sweep cut short finds the import again and finishes it. Only the status
    /// changes (merge); <paramref name="etag"/> makes sure the header is still the one the sweep judged.
    /// </summary>
    public Task MarkExpiredAsync(string importId, ETag etag, CancellationToken cancellationToken) =>
        _table.UpdateEntityAsync(new TableEntity(importId, HeaderKey) { ["Status"] = ImportStatus.Expired }, etag, TableUpdateMode.Merge, cancellationToken);

    public async Task<ImportHeader?> GetHeaderAsync(string importId, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(importId, HeaderKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? ImportHeader.FromEntity(response.Value!) : null;
    }

    /// <summary>Starts a staging batch for <paramref name="importId"/>; chunks are written in transactions of up to 100.</summary>
    public ChunkWriter StartStaging(string importId, StorageDeadline deadline) => new(_table, importId, deadline);

    /// <summary>The staged payloads in chunk order, a page at a time, so memory stays bounded by one page.</summary>
    public AsyncPageable<TableEntity> ReadStagedAsync(string importId, CancellationToken cancellationToken) =>
        _table.QueryAsync<TableEntity>(RangeFilter(importId, ChunkPrefix), maxPerPage: 100, select: ["RowKey", "Payload"], cancellationToken: cancellationToken);

    public AsyncPageable<TableEntity> ReadChunkProgressAsync(string importId, CancellationToken cancellationToken) =>
        _table.QueryAsync<TableEntity>(RangeFilter(importId, ChunkPrefix), select: ["RowKey", "Rows", "Processed", "LastAt"], cancellationToken: cancellationToken);

    /// <summary>Rows of a chunk that are finished, from a <see cref="ReadChunkProgressAsync"/> row: never more than it holds.</summary>
    public static int FinishedRowsOf(TableEntity chunk) => Math.Min(chunk.GetInt32("Processed") ?? 0, chunk.GetInt32("Rows") ?? int.MaxValue);

    public AsyncPageable<TableEntity> ReadFailedAsync(string importId, CancellationToken cancellationToken) =>
        _table.QueryAsync<TableEntity>(RangeFilter(importId, FailedPrefix), cancellationToken: cancellationToken);

    /// <summary>How many rows of <paramref name="chunk"/> are finished (delivered or dead-lettered).</summary>
    public async Task<int> GetProcessedAsync(string importId, int chunk, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(importId, ChunkKey(chunk), select: ["Processed"], cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value!.GetInt32("Processed") ?? 0 : 0;
    }

    /// <summary>The checkpoint: rows of a chunk are delivered in order, so "the first N are finished" says it all.</summary>
    public Task SetProcessedAsync(string importId, int chunk, int processed, DateTimeOffset at, CancellationToken cancellationToken) =>
        _table.UpsertEntityAsync(new TableEntity(importId, ChunkKey(chunk)) { ["Processed"] = processed, ["LastAt"] = at }, TableUpdateMode.Merge, cancellationToken);

    public Task RecordFailedAsync(string importId, FailedRow row, CancellationToken cancellationToken) =>
        _table.UpsertEntityAsync(row.ToEntity(importId), TableUpdateMode.Replace, cancellationToken);

    /// <summary>Removes an import that was refused, so it leaves nothing behind. Best effort: an orphan is harmless.</summary>
    public async Task DeleteImportAsync(string importId, CancellationToken cancellationToken)
    {
        var batch = new List<TableTransactionAction>(MaxBatchEntities);
        await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.PartitionKey == importId, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, entity, ETag.All));
            if (batch.Count == MaxBatchEntities)
            {
                await _table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
        if (batch.Count > 0)
        {
            await _table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string RangeFilter(string importId, string prefix) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {importId} and RowKey ge {prefix} and RowKey lt {prefix[..^1] + (char)(prefix[^1] + 1)}");

    /// <summary>
    /// Writes staged chunks in entity group transactions while the file is still being read: one transaction is in
    /// flight while the next fills, so reading and writing overlap and at most two batches are held.
    /// </summary>
    /// <param name="deadline">Bounds each transaction, which runs in the background while the file keeps streaming.</param>
    public sealed class ChunkWriter(TableClient table, string importId, StorageDeadline deadline)
    {
        private List<TableTransactionAction> _batch = new(MaxBatchEntities);
        private int _batchBytes;
        private Task _inFlight = Task.CompletedTask;

        public async Task AddAsync(int chunk, byte[] payload, int rows, CancellationToken cancellationToken)
        {
            if (_batch.Count == MaxBatchEntities || _batchBytes + payload.Length > MaxBatchPayloadBytes)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            _batch.Add(new TableTransactionAction(TableTransactionActionType.Add,
                new TableEntity(importId, ChunkKey(chunk)) { ["Payload"] = payload, ["Rows"] = rows }));
            _batchBytes += payload.Length;
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            await _inFlight.ConfigureAwait(false);
            if (_batch.Count > 0)
            {
                var batch = _batch;
                _batch = new List<TableTransactionAction>(MaxBatchEntities);
                _batchBytes = 0;
                _inFlight = SubmitAsync(batch, cancellationToken);
            }
        }

        private async Task SubmitAsync(List<TableTransactionAction> batch, CancellationToken cancellationToken)
        {
            using var bounded = deadline.Start(cancellationToken);
            await table.SubmitTransactionAsync(batch, bounded.Token).ConfigureAwait(false);
        }

        /// <summary>Writes what is left and waits for every transaction.</summary>
        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            await _inFlight.ConfigureAwait(false);
        }

        /// <summary>Waits for an outstanding write without failing, before the import is deleted.</summary>
        public async Task AbandonAsync()
        {
            try
            {
                await _inFlight.ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is RequestFailedException or OperationCanceledException or IOException or HttpRequestException)
            {
                // Already failed: nothing more was written.
            }
        }
    }
}
