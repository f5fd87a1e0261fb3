using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.DeadLetters;

/// <summary>
/// Dead letters in the Azure Table <c>deadletters</c>, so they can be listed newest first, filtered by source,
/// reason class and time, paged, replayed and deleted one by one (a queue can do none of that). Keys are
/// described by <see cref="DeadLetterKey"/>. The full record is kept as JSON; the columns a filter needs are
/// copied beside it.
/// </summary>
public sealed class DeadLetterStore(TableServiceClient tableService)
{
    public const string TableName = "deadletters";

    // A binary property holds at most 64 KiB; a record (envelope up to 48 KB plus Libromi's answer) may need two.
    private const int ChunkBytes = 60 * 1024;
    private const string RecordProperty = "Record";
    private const int MaxChunks = 15;

    public TableClient Table { get; } = tableService.GetTableClient(TableName);

    /// <summary>Throws when the table service does not answer; the table need not exist yet.</summary>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        await FirstPageAsync(tableService.QueryAsync(table => table.Name == TableName, maxPerPage: 1, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1)).ConfigureAwait(false);
    }

    public Task EnsureCreatedAsync(CancellationToken cancellationToken = default) =>
        Table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>Stores <paramref name="record"/>; returns only once storage has acknowledged it.</summary>
    public async Task<DeadLetterEntry> AddAsync(DeadLetterRecord record, CancellationToken cancellationToken = default)
    {
        var key = DeadLetterKey.Create(record.DeadLetteredAt);
        var entity = new TableEntity(key.PartitionKey, key.RowKey)
        {
            ["OperationId"] = record.Envelope?.OperationId,
            ["Source"] = record.Envelope?.Source,
            ["Lane"] = record.Envelope?.Lane.ToString().ToLowerInvariant(),
            ["ReasonClass"] = record.ReasonClass,
            ["StatusCode"] = record.StatusCode,
            ["DeadLetteredAt"] = record.DeadLetteredAt,
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(record, GatewayJsonContext.Default.DeadLetterRecord);
        for (var chunk = 0; chunk * ChunkBytes < json.Length; chunk++)
        {
            if (chunk == MaxChunks)
            {
                throw new InvalidOperationException($"A dead-letter record of {json.Length} bytes exceeds what one table row holds.");
            }
            entity[ChunkName(chunk)] = json.AsSpan(chunk * ChunkBytes, Math.Min(ChunkBytes, json.Length - (chunk * ChunkBytes))).ToArray();
        }
        try
        {
            await Table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (IsTableMissing(exception))
        {
            // Storage was down when the host started, so the table was never created: create it now.
            await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            await Table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        return new DeadLetterEntry(key.Id, record);
    }

    public async Task<DeadLetterEntry?> GetAsync(DeadLetterKey key, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await Table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.HasValue ? ToEntry(response.Value!) : null;
        }
        catch (RequestFailedException exception) when (IsTableMissing(exception))
        {
            return null;
        }
    }

    /// <summary>False when there was nothing to delete (already replayed or deleted by someone else).</summary>
    public async Task<bool> DeleteAsync(DeadLetterKey key, CancellationToken cancellationToken = default)
    {
        try
        {
            // The SDK answers a missing entity with its 404 response rather than an exception.
            var response = await Table.DeleteEntityAsync(key.PartitionKey, key.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
            return response.Status != 404;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return false;
        }
    }

    /// <summary>Up to <paramref name="limit"/> dead letters, newest first, from <paramref name="cursor"/> on.</summary>
    public async Task<(IReadOnlyList<DeadLetterEntry> Entries, string? NextCursor)> ListAsync(
        DeadLetterFilter filter, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var entries = new List<DeadLetterEntry>(limit);
        var continuation = cursor is null ? null : DecodeCursor(cursor);
        try
        {
        // A filtered query may answer with a short (even empty) page and a continuation: keep asking until
        // the page is full, so callers see exact pages and a cursor that resumes right after the last item.
        do
        {
            var page = await FirstPageAsync(Table.QueryAsync<TableEntity>(filter.ToODataFilter(), maxPerPage: limit - entries.Count, cancellationToken: cancellationToken)
                .AsPages(continuation, limit - entries.Count)).ConfigureAwait(false);
            entries.AddRange(page?.Values.Select(ToEntry) ?? []);
            continuation = page?.ContinuationToken;
        }
        while (continuation is not null && entries.Count < limit);
        }
        catch (RequestFailedException exception) when (IsTableMissing(exception))
        {
            return ([], null);
        }
        return (entries, continuation is null ? null : EncodeCursor(continuation));
    }

    /// <summary>Every dead letter matching <paramref name="filter"/>, newest first, read page by page.</summary>
    public async IAsyncEnumerable<DeadLetterEntry> ReadAllAsync(DeadLetterFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? continuation = null;
        do
        {
            Page<TableEntity>? page;
            try
            {
                page = await FirstPageAsync(Table.QueryAsync<TableEntity>(filter.ToODataFilter(), maxPerPage: 100, cancellationToken: cancellationToken).AsPages(continuation, 100)).ConfigureAwait(false);
            }
            catch (RequestFailedException exception) when (IsTableMissing(exception))
            {
                yield break;
            }
            foreach (var entity in page?.Values ?? [])
            {
                yield return ToEntry(entity);
            }
            continuation = page?.ContinuationToken;
        }
        while (continuation is not null);
    }

    /// <summary>How many dead letters match, reading keys only.</summary>
    public async Task<int> CountAsync(DeadLetterFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var count = 0;
        try
        {
            await foreach (var _ in Table.QueryAsync<TableEntity>((filter ?? new DeadLetterFilter()).ToODataFilter(), maxPerPage: 1000, select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                count++;
            }
        }
        catch (RequestFailedException exception) when (IsTableMissing(exception))
        {
            return 0;
        }
        return count;
    }

    private static async Task<Page<T>?> FirstPageAsync<T>(IAsyncEnumerable<Page<T>> pages)
        where T : notnull
    {
        await foreach (var page in pages.ConfigureAwait(false))
        {
            return page;
        }
        return null;
    }

    private static bool IsTableMissing(RequestFailedException exception) => exception.Status == 404 && exception.ErrorCode == "TableNotFound";

    private static DeadLetterEntry ToEntry(TableEntity entity)
    {
        var json = new List<byte>();
        for (var chunk = 0; entity.GetBinary(ChunkName(chunk)) is { } bytes; chunk++)
        {
            json.AddRange(bytes);
        }
        var record = JsonSerializer.Deserialize(json.ToArray(), GatewayJsonContext.Default.DeadLetterRecord)
            ?? throw new InvalidDataException($"Dead letter {entity.RowKey} holds no record.");
        return new DeadLetterEntry(entity.RowKey, record);
    }

    private static string ChunkName(int chunk) => chunk == 0 ? RecordProperty : RecordProperty + chunk;

    // Table continuation tokens are opaque strings with characters a URL must escape: carry them base64url-encoded.
    private static string EncodeCursor(string continuation) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(continuation));

    private static string DecodeCursor(string cursor) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));

    internal static bool IsValidCursor(string cursor)
    {
        try
        {
            return DecodeCursor(cursor).Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
