using System.Collections.Concurrent;
using System.Text;
using System.Threading.RateLimiting;
using Azure.Storage.Queues.Models;
using Libromi.Gateway.Ingest;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Storage;

namespace Libromi.Gateway.Imports;

/// <summary>
/// Accepts an uploaded file whole or not at all. Rows are packed and staged in the <c>imports</c> table while the
/// file streams in; only when the reader reached the end without a file-level error (and, in strict mode, without
/// a row error) are the staged packs sent to the bulk queue. A refused file leaves nothing in any queue, and memory
/// holds one pack and at most two staging batches whatever the file's size. At most
/// <see cref="ImportOptions.MaxConcurrent"/> uploads are read at once.
/// </summary>
public sealed partial class ImportIntake(
    ImportTable table, RunningImportIndex runningImports, OperationQueues queues, DrainWakeups wakeups, StorageDeadline storageDeadline, IOptions<ImportOptions> options,
    TimeProvider timeProvider, ILogger<ImportIntake> logger)
    : IDisposable
{
    /// <summary>Row errors listed in the answer and the progress document; the counts cover all of them.</summary>
    public const int FirstRowErrorsShown = 20;

    // At 1,000 requests an hour a large import legitimately waits days: messages never expire (as OperationQueues).
    private static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    // No queue: a waiting upload would hold its connection and request body while it waits, which is what the limit saves.
    private readonly ConcurrencyLimiter _uploads = new(new ConcurrencyLimiterOptions { PermitLimit = options.Value.MaxConcurrent, QueueLimit = 0 });

    /// <exception cref="StorageUnavailableException">Storage failed; nothing was queued (the sender retries).</exception>
    public async Task<ImportIntakeResult> AcceptAsync(Stream body, ImportFormat format, bool strict, string? correlationId, CancellationToken cancellationToken)
    {
        using var upload = _uploads.AttemptAcquire();
        if (!upload.IsAcquired)
        {
            LogBusy(logger, options.Value.MaxConcurrent);
            return new ImportIntakeResult.Busy(options.Value.MaxConcurrent);
        }
        return await ReceiveAsync(body, format, strict, correlationId, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _uploads.Dispose();

    private async Task<ImportIntakeResult> ReceiveAsync(Stream body, ImportFormat format, bool strict, string? correlationId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = timeProvider.GetUtcNow();
        var importId = Guid.CreateVersion7(now).ToString("N");
        var header = new ImportHeader
        {
            ImportId = importId,
            Status = ImportStatus.Receiving,
            Format = format == ImportFormat.Csv ? "csv" : "json",
            Strict = strict,
            ReceivedAt = now,
        };
        await StoreAsync(token => table.AddHeaderAsync(header, token), importId, cancellationToken).ConfigureAwait(false);

        var writer = table.StartStaging(importId, storageDeadline);
        var packer = new ImportPacker(importId, correlationId ?? importId, now, settings.RowsPerMessage);
        var tally = new Tally();
        try
        {
            var rows = ContactFileReader.ReadAsync(body, format, settings, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using var _ = rows.ConfigureAwait(false);
            var lastLine = 0;
            while (await NextRowAsync(rows, importId, lastLine).ConfigureAwait(false))
            {
                var result = rows.Current;
                lastLine = result.Line;
                if (result is ImportRowError error)
                {
                    tally.Reject(error);
                    continue;
                }
                var row = (ImportRow)result;
                if (strict && tally.Rejected > 0)
                {
                    tally.Accept(row); // the file is refused anyway: count, stage nothing more
                    continue;
                }
                var completed = packer.Add(row, out var tooLarge);
                if (tooLarge)
                {
                    tally.Reject(new ImportRowError(row.Line, ImportRowError.WholeRow, $"The row is larger than a queue message allows ({ImportPacker.MaxPackBytes / 1024} KB)."));
                    continue;
                }
                tally.Accept(row);
                if (completed is not null)
                {
                    await writer.AddAsync(completed.Chunk, completed.Payload, completed.Rows, cancellationToken).ConfigureAwait(false);
                }
            }
            if (!(strict && tally.Rejected > 0) && packer.Complete() is { } last)
            {
                await writer.AddAsync(last.Chunk, last.Payload, last.Rows, cancellationToken).ConfigureAwait(false);
            }
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ImportFileException exception)
        {
            await DiscardAsync(writer, importId).ConfigureAwait(false);
            LogFileRefused(logger, importId, exception.Code);
            return new ImportIntakeResult.FileRefused(exception);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            // The upload itself broke (the server's body limit, a malformed chunk): not storage's fault.
            await DiscardAsync(writer, importId).ConfigureAwait(false);
            throw;
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken) || exception is OperationCanceledException)
        {
            await DiscardAsync(writer, importId).ConfigureAwait(false);
            if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw; // the client went away
            }
            LogStorageUnavailable(logger, importId, exception.GetType().Name);
            throw new StorageUnavailableException(exception);
        }
        catch
        {
            // A bug in the intake itself: whatever the answer becomes, the rows staged so far must not outlive the request.
            await DiscardAsync(writer, importId).ConfigureAwait(false);
            throw;
        }

        if (strict && tally.Rejected > 0)
        {
            await DiscardAsync(writer, importId).ConfigureAwait(false);
            LogRowsRefused(logger, importId, tally.Rejected);
            return new ImportIntakeResult.RowsRefused(tally.Accepted, tally.Rejected, tally.FirstErrors);
        }
        if (tally.Accepted == 0)
        {
            await DiscardAsync(writer, importId).ConfigureAwait(false);
            LogRowsRefused(logger, importId, tally.Rejected);
            return new ImportIntakeResult.NoValidRows(tally.Rejected, tally.FirstErrors);
        }

        var queued = header with
        {
            Status = ImportStatus.Queued,
            QueuedAt = timeProvider.GetUtcNow(),
            Accepted = tally.Accepted,
            Rejected = tally.Rejected,
            Duplicates = tally.Duplicates,
            Chunks = packer.ChunkCount,
            Calls = tally.Calls,
            FirstRowErrors = tally.FirstErrors,
        };
        var storing = wakeups.BeginStoring();
        await EnqueueStagedAsync(queued, settings.EnqueueConcurrency, cancellationToken).ConfigureAwait(false);
        using (var wakeDeadline = storageDeadline.Start(CancellationToken.None))
        {
            await wakeups.NotifyAsync(storing, wakeDeadline.Token).ConfigureAwait(false);
        }
        LogQueued(logger, importId, tally.Accepted, tally.Rejected, packer.ChunkCount);
        await ListAsRunningAsync(queued).ConfigureAwait(false);
        return new ImportIntakeResult.Accepted(queued);
    }

    /// <summary>
    /// The reader's next row. Its own refusals are <see cref="ImportFileException"/>s; any other failure (a parser limit
    /// nobody foresaw, a library throwing on odd input) also comes from the file, so it refuses the file too instead of
    /// answering 500. It is logged as an error with its type only (a message may quote the file), to be fixed in the reader.
    /// </summary>
    private async ValueTask<bool> NextRowAsync(IAsyncEnumerator<ImportRowResult> rows, string importId, int lastLine)
    {
        try
        {
            return await rows.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not (ImportFileException or OperationCanceledException or IOException))
        {
            LogReaderFailed(logger, importId, exception.GetType().Name, lastLine);
            throw new ImportFileException(
                ImportFileErrorCodes.UnreadableFile,
                $"The file could not be read after line {lastLine}: the record that follows it is not one the reader can take. Nothing was imported.",
                lastLine + 1);
        }
    }

    /// <summary>Sends every staged pack, then marks the import queued; on failure takes back what was sent.</summary>
    private async Task EnqueueStagedAsync(ImportHeader queued, int concurrency, CancellationToken cancellationToken)
    {
        var sent = new ConcurrentQueue<SendReceipt>();
        try
        {
            await foreach (var page in table.ReadStagedAsync(queued.ImportId, cancellationToken).AsPages().ConfigureAwait(false))
            {
                await Parallel.ForEachAsync(page.Values, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (entity, token) =>
                {
                    var text = Encoding.UTF8.GetString(entity.GetBinary("Payload"));
                    using var bounded = storageDeadline.Start(token);
                    SendReceipt receipt = await queues.Bulk.SendMessageAsync(text, visibilityTimeout: null, timeToLive: NeverExpires, bounded.Token).ConfigureAwait(false);
                    sent.Enqueue(receipt);
                }).ConfigureAwait(false);
            }
            using var headerDeadline = storageDeadline.Start(cancellationToken);
            await table.UpdateHeaderAsync(queued, headerDeadline.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken) || exception is OperationCanceledException)
        {
            // The answer will be an error, so nothing may stay queued: take back every message that was sent.
            var leftBehind = await queues.WithdrawAsync(Lane.Bulk, sent, storageDeadline).ConfigureAwait(false);
            await DiscardAsync(null, queued.ImportId).ConfigureAwait(false);
            LogEnqueueFailed(logger, queued.ImportId, sent.Count, leftBehind, exception.GetType().Name);
            if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            throw new StorageUnavailableException(exception);
        }
    }

    /// <summary>
    /// Lists the import for the status page once it is queued, never before: a listed import always has its chunks, so
    /// the page can judge it by them alone. The import is committed by now, so neither a storage fault nor a client
    /// that went away may turn the answer into an error; the import is then delivered, only not listed.
    /// </summary>
    private async Task ListAsRunningAsync(ImportHeader queued)
    {
        try
        {
            await runningImports.AddAsync(queued, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, CancellationToken.None))
        {
            LogNotListed(logger, queued.ImportId, exception.GetType().Name);
        }
    }

    private async Task StoreAsync(Func<CancellationToken, Task> store, string importId, CancellationToken cancellationToken)
    {
        try
        {
            using var bounded = storageDeadline.Start(cancellationToken);
            await store(bounded.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            LogStorageUnavailable(logger, importId, exception.GetType().Name);
            throw new StorageUnavailableException(exception);
        }
    }

    private async Task DiscardAsync(ImportTable.ChunkWriter? writer, string importId)
    {
        if (writer is not null)
        {
            await writer.AbandonAsync().ConfigureAwait(false);
        }
        try
        {
            // Unbounded on purpose: deleting a large import's chunks legitimately takes longer than one storage call.
            await table.DeleteImportAsync(importId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, CancellationToken.None))
        {
            // Staged rows of a refused import are never queued; an orphaned partition only costs storage.
            LogDiscardFailed(logger, importId, exception.GetType().Name);
        }
    }

    private sealed class Tally
    {
        private readonly List<RowErrorView> _firstErrors = [];
        public int Accepted { get; private set; }
        public int Rejected { get; private set; }
        public int Duplicates { get; private set; }
        public long Calls { get; private set; }
        public IReadOnlyList<RowErrorView> FirstErrors => _firstErrors;

        public void Accept(ImportRow row)
        {
            Accepted++;
            Calls += row.Operations.Steps.Count;
            Duplicates += row.IsDuplicate ? 1 : 0;
        }

        public void Reject(ImportRowError error)
        {
            Rejected++;
            if (_firstErrors.Count < FirstRowErrorsShown)
            {
                _firstErrors.Add(RowErrorView.From(error));
            }
        }
    }

    [LoggerMessage(EventId = 6001, EventName = "ImportQueued", Level = LogLevel.Information, Message = "Import {ImportId} queued: {Accepted} rows accepted, {Rejected} rejected, in {Chunks} messages")]
    private static partial void LogQueued(ILogger logger, string importId, int accepted, int rejected, int chunks);

    [LoggerMessage(EventId = 6002, EventName = "ImportFileRefused", Level = LogLevel.Information, Message = "Import {ImportId} refused: {Code}; nothing was queued")]
    private static partial void LogFileRefused(ILogger logger, string importId, string code);

    [LoggerMessage(EventId = 6003, EventName = "ImportRowsRefused", Level = LogLevel.Information, Message = "Import {ImportId} refused for {Rejected} invalid rows; nothing was queued")]
    private static partial void LogRowsRefused(ILogger logger, string importId, int rejected);

    [LoggerMessage(EventId = 6004, EventName = "ImportStorageUnavailable", Level = LogLevel.Error, Message = "Storage failed while receiving import {ImportId} ({Failure}); answered 503")]
    private static partial void LogStorageUnavailable(ILogger logger, string importId, string failure);

    [LoggerMessage(EventId = 6005, EventName = "ImportEnqueueFailed", Level = LogLevel.Error, Message = "Queueing import {ImportId} failed ({Failure}) after {Sent} messages; {LeftBehind} could not be taken back")]
    private static partial void LogEnqueueFailed(ILogger logger, string importId, int sent, int leftBehind, string failure);

    [LoggerMessage(EventId = 6006, EventName = "ImportDiscardFailed", Level = LogLevel.Warning, Message = "Could not delete the staged rows of refused import {ImportId} ({Failure}); they are never queued")]
    private static partial void LogDiscardFailed(ILogger logger, string importId, string failure);

    [LoggerMessage(EventId = 6008, EventName = "ImportReaderFailed", Level = LogLevel.Error, Message = "The reader failed on import {ImportId} after line {LastLine} with {Failure}; the file was refused and its staged rows discarded")]
    private static partial void LogReaderFailed(ILogger logger, string importId, string failure, int lastLine);

    [LoggerMessage(EventId = 6009, EventName = "ImportBusy", Level = LogLevel.Warning, Message = "An import was refused with 429: {MaxConcurrent} uploads are already being read (Imports__MaxConcurrent)")]
    private static partial void LogBusy(ILogger logger, int maxConcurrent);

    [LoggerMessage(EventId = 6007, EventName = "ImportNotListed", Level = LogLevel.Warning, Message = "Import {ImportId} is queued but could not be listed on the status page ({Failure}); it is delivered all the same")]
    private static partial void LogNotListed(ILogger logger, string importId, string failure);
}

/// <summary>How an upload ended.</summary>
public abstract record ImportIntakeResult
{
    private ImportIntakeResult() { }

    /// <summary>Every valid row is in the bulk queue.</summary>
    public sealed record Accepted(ImportHeader Import) : ImportIntakeResult;

    /// <summary>The file as a whole cannot be imported; nothing was queued.</summary>
    public sealed record FileRefused(ImportFileException Error) : ImportIntakeResult;

    /// <summary>Strict mode and at least one invalid row; nothing was queued.</summary>
    public sealed record RowsRefused(int Valid, int Rejected, IReadOnlyList<RowErrorView> FirstErrors) : ImportIntakeResult;

    /// <summary>Rows were read but none is valid; nothing was queued.</summary>
    public sealed record NoValidRows(int Rejected, IReadOnlyList<RowErrorView> FirstErrors) : ImportIntakeResult;

    /// <summary><paramref name="MaxConcurrent"/> uploads were already being read; this one was not, and nothing was staged.</summary>
    public sealed record Busy(int MaxConcurrent) : ImportIntakeResult;
}
