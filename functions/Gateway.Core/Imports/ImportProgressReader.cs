using Azure.Storage.Queues.Models;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Queueing;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Imports;

/// <summary>
/// Builds the progress document of <c>GET /api/imports/{id}</c> by aggregating the import's partition: the header,
/// one checkpoint per chunk (a projection, without payloads) and the failed rows. Reads never write.
/// </summary>
public sealed class ImportProgressReader(ImportTable table, OperationQueues queues, IOptions<LibromiClientOptions> libromi, TimeProvider timeProvider)
{
    public const int FailedPageSize = 100;

    public async Task<ImportProgress?> ReadAsync(string importId, int failedPage, CancellationToken cancellationToken)
    {
        // An expired import is being deleted by the retention sweep: it is as gone as a deleted one.
        if (await table.GetHeaderAsync(importId, cancellationToken).ConfigureAwait(false) is not { Status: not ImportStatus.Expired } header)
        {
            return null;
        }

        long processed = 0;
        DateTimeOffset? lastAt = null;
        await foreach (var chunk in table.ReadChunkProgressAsync(importId, cancellationToken).ConfigureAwait(false))
        {
            processed += ImportTable.FinishedRowsOf(chunk);
            if (chunk.GetDateTimeOffset("LastAt") is { } at && (lastAt is null || at > lastAt))
            {
                lastAt = at;
            }
        }
        var failed = new List<FailedRow>();
        await foreach (var entity in table.ReadFailedAsync(importId, cancellationToken).ConfigureAwait(false))
        {
            failed.Add(FailedRow.FromEntity(entity));
        }

        var realtimeDepth = 0;
        if (header.Status != ImportStatus.Receiving)
        {
            QueueProperties realtime = await queues.Realtime.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
            realtimeDepth = realtime.ApproximateMessagesCount;
        }
        return Summarise(header, processed, lastAt, failed, realtimeDepth, Math.Max(1, failedPage), libromi.Value, timeProvider.GetUtcNow());
    }

    /// <summary>The arithmetic of the document, apart from storage.</summary>
    public static ImportProgress Summarise(
        ImportHeader header, long processed, DateTimeOffset? lastAt, IReadOnlyList<FailedRow> failed, int realtimeDepth, int failedPage, LibromiClientOptions rate, DateTimeOffset now)
    {
        var total = header.Status == ImportStatus.Receiving ? 0 : header.Accepted;
        var failedCount = failed.Count;
        var finished = Math.Min(processed, total);
        var delivered = Math.Max(0, finished - failedCount);
        var pending = Math.Max(0, total - finished);
        var status = header.Status == ImportStatus.Receiving ? ImportStatus.Receiving
            : pending == 0 ? (failedCount == 0 ? ImportStatus.Completed : ImportStatus.CompletedWithFailures)
            : finished == 0 ? ImportStatus.Queued
            : ImportStatus.Delivering;

        var startedAt = header.QueuedAt;
        var finishedAt = pending == 0 && total > 0 ? lastAt ?? startedAt : null;
        double? throughput = null;
        if (startedAt is { } started && finished > 0)
        {
            var elapsed = (finishedAt ?? now) - started;
            throughput = elapsed > TimeSpan.Zero ? Math.Round(finished / elapsed.TotalMinutes, 1) : null;
        }

        TimeSpan? eta = null;
        if (header.Status != ImportStatus.Receiving)
        {
            var callsPerRow = header.Accepted > 0 ? (double)header.Calls / header.Accepted : 1;
            eta = ImportEta.Estimate(realtimeDepth, (long)Math.Ceiling(pending * callsPerRow), rate.RequestsPerMinute, rate.RequestsPerHour);
        }

        var ordered = failed.OrderBy(f => f.Line).Skip((failedPage - 1) * FailedPageSize).Take(FailedPageSize).ToArray();
        return new ImportProgress
        {
            ImportId = header.ImportId,
            Status = status,
            Strict = header.Strict,
            Total = total,
            Delivered = delivered,
            Failed = failedCount,
            Pending = pending,
            Rejected = header.Rejected,
            Duplicates = header.Duplicates,
            ReceivedAt = header.ReceivedAt,
            StartedAt = startedAt,
            FinishedAt = finishedAt,
            RowsPerMinute = throughput,
            EtaSeconds = eta is { } e ? (long)Math.Ceiling(e.TotalSeconds) : null,
            EstimatedCompletion = eta is { } e2 && pending > 0 ? now + e2 : null,
            RealtimeQueueDepth = realtimeDepth,
            RowErrors = header.FirstRowErrors,
            FailedRows = new FailedRowsPage(failedPage, FailedPageSize, failedCount, ordered),
        };
    }
}

/// <summary>The progress document (docs/imports.md describes each field).</summary>
public sealed record ImportProgress
{
    public required string ImportId { get; init; }
    public required string Status { get; init; }
    public bool Strict { get; init; }
    public long Total { get; init; }
    public long Delivered { get; init; }
    public long Failed { get; init; }
    public long Pending { get; init; }
    public int Rejected { get; init; }
    public int Duplicates { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public double? RowsPerMinute { get; init; }
    public long? EtaSeconds { get; init; }
    public DateTimeOffset? EstimatedCompletion { get; init; }
    public int RealtimeQueueDepth { get; init; }
    public IReadOnlyList<RowErrorView> RowErrors { get; init; } = [];
    public required FailedRowsPage FailedRows { get; init; }
}

public sealed record FailedRowsPage(
    int Page,
    int PageSize,
    int Total,
    IReadOnlyList<FailedRow> Items);
