using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Libromi.Gateway.Figures;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Trail;

/// <summary>
/// Every delivery to <c>/api/hooks/{integration}</c> of a configured integration, accepted or refused: when, the
/// verification result and its reason class, whether it was a duplicate, the operations it produced, and the raw body
/// cut to <see cref="TrailOptions.MaxBodyBytes"/>. No header is kept (signatures, shared secrets and basic credentials
/// travel in headers), nor the query string (a shared token may travel there); only the media type. A delivery's row
/// sits in the trail partition of its hour, so it is written in the same request as the "queued" rows of its operations.
/// </summary>
public sealed class DeliveryLog(TableServiceClient tables, TrailWriter writer, FigureTally figures, IOptions<TrailOptions> options, TimeProvider timeProvider)
{
    /// <summary>A new delivery id for a delivery arriving now.</summary>
    public TrailKey NewDelivery() => TrailKey.NewId(timeProvider.GetUtcNow());

    public bool Enabled => options.Value.Enabled;

    /// <summary>Now, on the clock ids are made with: a search window without an end ends here.</summary>
    public DateTimeOffset Now => timeProvider.GetUtcNow();

    /// <summary>Leaves the delivery's row for the next trail batch, and counts it in the integration's figures.</summary>
    public void Record(TrailKey key, DeliveryRecord delivery)
    {
        // Counted in memory even with the trail off: the status page's figures do not depend on the trail.
        figures.CountDelivery(delivery.Integration, delivery.Outcome, delivery.VerificationReason, key.At);
        if (!options.Value.Enabled)
        {
            return;
        }
        var max = options.Value.MaxBodyBytes;
        var entity = new TableEntity(key.PartitionKey, key.DeliveryRow)
        {
            [OperationTrail.KindProperty] = OperationTrail.DeliveryKind,
            ["DeliveryId"] = key.Id,
            ["Integration"] = delivery.Integration,
            ["ReceivedAt"] = key.At,
            ["Outcome"] = delivery.Outcome,
            ["StatusCode"] = delivery.StatusCode,
            ["Verification"] = delivery.Verification,
            ["VerificationReason"] = delivery.VerificationReason,
            ["Duplicate"] = delivery.Duplicate,
            ["Duplicates"] = delivery.Duplicates,
            ["Ignored"] = delivery.Ignored,
            ["OperationIds"] = string.Join(",", delivery.OperationIds),
            ["ContentType"] = delivery.ContentType,
        };
        if (delivery.Body is { } body)
        {
            entity["BodyBytes"] = body.Length;
            entity["BodyTruncated"] = body.Length > max;
            entity["Body"] = body.AsSpan(0, Math.Min(body.Length, max)).ToArray();
        }
        writer.Post([new TrailRow(key.TableName, entity)]);
    }

    /// <summary>One delivery, with its body only when <paramref name="withBody"/> (the admin route).</summary>
    public async Task<DeliveryView?> GetAsync(TrailKey key, bool withBody, CancellationToken cancellationToken)
    {
        try
        {
            var response = await tables.GetTableClient(key.TableName)
                .GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.DeliveryRow, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.HasValue ? DeliveryView.From(response.Value!, withBody) : null;
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == TableErrorCode.TableNotFound)
        {
            return null;
        }
    }

    /// <summary>Deliveries in the window, newest first, filtered on the service by integration, outcome and duplicate flag.</summary>
    public async Task<DeliveryPage> SearchAsync(DeliveryQuery query, CancellationToken cancellationToken)
    {
        var (items, next) = await ReadAsync(query, row => DeliveryView.From(row, withBody: false), select: null, cancellationToken).ConfigureAwait(false);
        return new DeliveryPage(items, next?.Encode());
    }

    /// <summary>One page of deliveries as a replay needs them: with the stored body, and the job that replayed each, if any.</summary>
    public Task<(IReadOnlyList<LoggedDelivery> Items, TrailCursor? Next)> ReadForReplayAsync(DeliveryQuery query, CancellationToken cancellationToken) =>
        ReadAsync(query, LoggedDelivery.From, select: null, cancellationToken);

    /// <summary>One page of deliveries without their bodies, for counting what a replay would do.</summary>
    public Task<(IReadOnlyList<LoggedDelivery> Items, TrailCursor? Next)> ReadHeadersForReplayAsync(DeliveryQuery query, CancellationToken cancellationToken) =>
        ReadAsync(query, LoggedDelivery.From, select: LoggedDelivery.HeaderColumns, cancellationToken);

    /// <summary>
    /// Records on the delivery's row that replay job <paramref name="jobId"/> enqueued <paramref name="operationIds"/> from it.
    /// Written at once (not through the trail batch): the mark is what keeps a repeated page from replaying the delivery twice.
    /// </summary>
    public async Task MarkReplayedAsync(TrailKey key, string jobId, IReadOnlyList<string> operationIds, CancellationToken cancellationToken)
    {
        var mark = new TableEntity(key.PartitionKey, key.DeliveryRow)
        {
            [LoggedDelivery.ReplayJobProperty] = jobId,
            ["ReplayedAt"] = timeProvider.GetUtcNow(),
            ["ReplayOperationIds"] = string.Join(",", operationIds),
        };
        await tables.GetTableClient(key.TableName).UpdateEntityAsync(mark, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    private Task<(IReadOnlyList<T> Items, TrailCursor? Next)> ReadAsync<T>(
        DeliveryQuery query, Func<TableEntity, T> read, IEnumerable<string>? select, CancellationToken cancellationToken)
        where T : class
    {
        var walk = new TrailHourWalk(query.Since, query.Until, query.Limit, query.Cursor, RowPrefix: "d")
        {
            Filter = ServiceFilter(query),
            Select = select,
        };
        return walk.ReadAsync(tables, (row, _) => ValueTask.FromResult<T?>(read(row)), cancellationToken);
    }

    /// <summary>The search's filters the service applies: integration, outcome, duplicate flag.</summary>
    private static string? ServiceFilter(DeliveryQuery query)
    {
        List<string> conditions = [];
        if (query.Integration is { } integration)
        {
            conditions.Add(TableClient.CreateQueryFilter($"Integration eq {integration}"));
        }
        if (query.Outcome is { } outcome)
        {
            conditions.Add(TableClient.CreateQueryFilter($"Outcome eq {outcome}"));
        }
        if (query.Duplicate is { } duplicate)
        {
            conditions.Add(TableClient.CreateQueryFilter($"Duplicate eq {duplicate}"));
        }
        return conditions.Count == 0 ? null : string.Join(" and ", conditions);
    }
}

/// <summary>A logged delivery as a replay reads it: how it was answered, its stored body, and the replay job that has taken it, if any.</summary>
public sealed record LoggedDelivery(
    TrailKey Key, string Integration, string Outcome, string Verification, byte[]? Body, bool BodyTruncated, string? ContentType, string? ReplayJob)
{
    public const string ReplayJobProperty = "ReplayJob";

    /// <summary>The columns a count needs; the body stays on the service.</summary>
    public static readonly IReadOnlyList<string> HeaderColumns =
        ["PartitionKey", "RowKey", "DeliveryId", "Integration", "Outcome", "Verification", "BodyBytes", "BodyTruncated", "ContentType", ReplayJobProperty];

    internal static LoggedDelivery From(TableEntity row)
    {
        var id = row.GetString("DeliveryId") ?? "";
        var key = TrailKey.TryParse(id, out var parsed) ? parsed.Value : throw new InvalidDataException($"Delivery row {row.RowKey} holds no valid delivery id.");
        var body = row.GetBinary("Body");
        // A count reads no body: BodyBytes says whether one was stored.
        if (body is null && row.GetInt32("BodyBytes") is not null)
        {
            body = [];
        }
        return new LoggedDelivery(key, row.GetString("Integration") ?? "", row.GetString("Outcome") ?? "", row.GetString("Verification") ?? "",
            body, row.GetBoolean("BodyTruncated") ?? false, row.GetString("ContentType"), row.GetString(ReplayJobProperty));
    }
}

/// <summary>What the hook route knows of one delivery when it has answered it.</summary>
public sealed record DeliveryRecord(
    string Integration,
    string Outcome,
    int StatusCode,
    string Verification,
    string? VerificationReason,
    bool Duplicate,
    int Duplicates,
    int Ignored,
    IReadOnlyList<string> OperationIds,
    string? ContentType,
    byte[]? Body);

/// <summary>A search of the delivery log.</summary>
public sealed record DeliveryQuery(
    DateTimeOffset Since, DateTimeOffset Until, int Limit, string? Integration = null, string? Outcome = null, bool? Duplicate = null, TrailCursor? Cursor = null);

/// <summary>One delivery as the API shows it. The body (UTF-8 text when it is, else base64) only on the admin route.</summary>
public sealed record DeliveryView(
    string DeliveryId,
    string Integration,
    DateTimeOffset ReceivedAt,
    string Outcome,
    [property: JsonPropertyName("status")] int StatusCode,
    string Verification,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? VerificationReason,
    bool Duplicate,
    int Duplicates,
    int Ignored,
    IReadOnlyList<string> OperationIds,
    string? ContentType,
    int? BodyBytes,
    bool BodyTruncated,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Body,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BodyBase64,
    IReadOnlyDictionary<string, string> Links,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ReplayedBy = null)
{
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    internal static DeliveryView From(TableEntity row, bool withBody)
    {
        var id = row.GetString("DeliveryId") ?? "";
        var operations = row.GetString("OperationIds") is { Length: > 0 } ids ? ids.Split(',') : [];
        string? text = null, base64 = null;
        if (withBody && row.GetBinary("Body") is { } body)
        {
            try
            {
                text = StrictUtf8.GetString(body);
            }
            catch (System.Text.DecoderFallbackException)
            {
                // A body cut inside a multi-byte character, or not text at all.
                base64 = Convert.ToBase64String(body);
            }
        }
        var links = new Dictionary<string, string> { ["self"] = $"/api/deliveries/{id}", ["body"] = $"/api/deliveries/{id}/body" };
        var replayJob = row.GetString(LoggedDelivery.ReplayJobProperty);
        if (replayJob is not null)
        {
            links["replay"] = $"/api/replays/{replayJob}";
        }
        return new DeliveryView(
            id,
            row.GetString("Integration") ?? "",
            row.GetDateTimeOffset("ReceivedAt") ?? DateTimeOffset.MinValue,
            row.GetString("Outcome") ?? "",
            row.GetInt32("StatusCode") ?? 0,
            row.GetString("Verification") ?? "",
            row.GetString("VerificationReason"),
            row.GetBoolean("Duplicate") ?? false,
            row.GetInt32("Duplicates") ?? 0,
            row.GetInt32("Ignored") ?? 0,
            operations,
            row.GetString("ContentType"),
            row.GetInt32("BodyBytes"),
            row.GetBoolean("BodyTruncated") ?? false,
            text,
            base64,
            links,
            replayJob);
    }
}

/// <summary>One page of <c>GET /api/deliveries</c>.</summary>
public sealed record DeliveryPage(
    IReadOnlyList<DeliveryView> Items,
    string? NextCursor);
