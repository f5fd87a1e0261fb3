using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Libromi.Gateway.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Trail;

/// <summary>
/// One row of the trail and how to write it: upserted (replacing or merging), or, with <see cref="OnConflict"/>, inserted
/// only if absent and otherwise merged with <see cref="OnConflict"/> instead. The "queued" row of an operation is written
/// that way, because it may land after the processor already recorded a later state, which it must not overwrite.
/// </summary>
public sealed record TrailRow(string TableName, TableEntity Entity, TableUpdateMode Mode = TableUpdateMode.Replace, TableEntity? OnConflict = null);

/// <summary>
/// Writes trail rows in entity group transactions: up to 100 rows of one table partition per request. Rows of one
/// operation (summary, index rows, calls) share a partition by design (<see cref="TrailKey"/>), so each processing
/// outcome is one request. Ingest-time rows are <see cref="Post"/>ed and written by a background loop every
/// <see cref="TrailOptions.BatchWindow"/>, so ingest never waits on the trail and rows of many requests share a request.
/// Day tables are created the first time a write finds them missing.
/// </summary>
public sealed partial class TrailWriter(TableServiceClient tables, IOptions<TrailOptions> options, ILogger<TrailWriter> logger) : PeriodicFlushService
{
    // An entity group transaction holds at most 100 operations, all on one partition of one table.
    private const int MaxBatch = 100;
    // A transaction's request body holds at most 4 MiB; delivery rows carry bodies of up to 60 KiB, so batches are also cut by size.
    internal const int MaxBatchBytes = 3 * 1024 * 1024;
    // Rows waiting for the background loop; past this (storage far behind) new rows are dropped and counted, never ingest slowed.
    private const int MaxPending = 50_000;

    private readonly ConcurrentQueue<TrailRow> _pending = new();
    private int _pendingCount;
    private long _dropped;

    /// <summary>Rows dropped because storage did not take them (logged); read by tests and the benchmark.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Leaves <paramref name="rows"/> for the next batch; returns at once.</summary>
    public void Post(IEnumerable<TrailRow> rows)
    {
        foreach (var row in rows)
        {
            if (Interlocked.Increment(ref _pendingCount) > MaxPending)
            {
                Interlocked.Decrement(ref _pendingCount);
                Interlocked.Increment(ref _dropped);
                continue;
            }
            _pending.Enqueue(row);
        }
    }

    /// <summary>Writes <paramref name="rows"/> now, one request per table partition (per 100 rows).</summary>
    public async Task WriteAsync(IReadOnlyCollection<TrailRow> rows, CancellationToken cancellationToken = default)
    {
        foreach (var group in rows.GroupBy(r => (r.TableName, r.Entity.PartitionKey)))
        {
            // A transaction may touch an entity once: the last row written for a key wins.
            var rowsByKey = group
                .GroupBy(r => r.Entity.RowKey, StringComparer.Ordinal)
                .Select(g => g.Last())
                .ToList();
            var table = tables.GetTableClient(group.Key.TableName);
            foreach (var chunk in Batches(rowsByKey))
            {
                await SubmitAsync(table, chunk, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Rows in transactions of at most <see cref="MaxBatch"/> rows and about <see cref="MaxBatchBytes"/> bytes.</summary>
    internal static IEnumerable<List<TrailRow>> Batches(IEnumerable<TrailRow> rows)
    {
        var batch = new List<TrailRow>(MaxBatch);
        var bytes = 0;
        foreach (var row in rows)
        {
            // Property names, keys and small values stay far below 2 KiB; binary and long text values are counted as they are.
            var size = 2048 + row.Entity.Sum(property => property.Value switch { byte[] b => b.Length * 4 / 3, string s => s.Length * 2, _ => 0 });
            if (batch.Count == MaxBatch || (batch.Count > 0 && bytes + size > MaxBatchBytes))
            {
                yield return batch;
                batch = new List<TrailRow>(MaxBatch);
                bytes = 0;
            }
            batch.Add(row);
            bytes += size;
        }
        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private static async Task SubmitAsync(TableClient table, List<TrailRow> rows, CancellationToken cancellationToken)
    {
        var actions = rows.Select(Action).ToList();
        var created = false;
        while (actions.Count > 0)
        {
            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException exception) when (exception.ErrorCode == TableErrorCode.TableNotFound && !created)
            {
                await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
                created = true;
            }
            catch (TableTransactionFailedException exception) when (exception.Status == 409 && exception.FailedTransactionActionIndex is { } index
                && index < actions.Count && rows[index].OnConflict is { } instead)
            {
                // The row is there already (a later state was recorded first): merge what only this row knows.
                actions[index] = new TableTransactionAction(TableTransactionActionType.UpsertMerge, instead);
                rows[index] = rows[index] with { OnConflict = null };
            }
        }
    }

    private static TableTransactionAction Action(TrailRow row) => row switch
    {
        { OnConflict: not null } => new TableTransactionAction(TableTransactionActionType.Add, row.Entity),
        { Mode: TableUpdateMode.Merge } => new TableTransactionAction(TableTransactionActionType.UpsertMerge, row.Entity),
        _ => new TableTransactionAction(TableTransactionActionType.UpsertReplace, row.Entity),
    };

    /// <summary>Writes what is waiting now (tests, shutdown).</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var batch = new List<TrailRow>();
        while (_pending.TryDequeue(out var row))
        {
            Interlocked.Decrement(ref _pendingCount);
            batch.Add(row);
        }
        if (batch.Count == 0)
        {
            return;
        }
        try
        {
            await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The trail is an account of the operations, not the operations: they are queued. The processor's write of
            // each outcome carries every field again, so a lost "queued" row is restored when the operation is processed.
            Interlocked.Add(ref _dropped, batch.Count);
            LogNotWritten(logger, batch.Count, exception.GetType().Name);
        }
    }

    protected override TimeSpan FlushInterval => options.Value.BatchWindow;

    [LoggerMessage(EventId = 9101, EventName = "TrailRowsNotWritten", Level = LogLevel.Warning,
        Message = "Could not write {Count} trail rows ({Failure}); the operations are queued, and each one's row is written again when it is processed")]
    private static partial void LogNotWritten(ILogger logger, int count, string failure);
}
