using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;

namespace Libromi.Gateway.Imports;

/// <summary>The header of an import: what the upload produced. Written at start and once queued.</summary>
public sealed record ImportHeader
{
    public required string ImportId { get; init; }
    /// <summary><see cref="ImportStatus.Receiving"/> while the file is read; <see cref="ImportStatus.Queued"/> once every row is in the bulk queue.</summary>
    public required string Status { get; init; }
    public required string Format { get; init; }
    public required bool Strict { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset? QueuedAt { get; init; }
    public int Accepted { get; init; }
    public int Rejected { get; init; }
    public int Duplicates { get; init; }
    public int Chunks { get; init; }
    /// <summary>Libromi calls the accepted rows need (1 or 2 each), for the ETA.</summary>
    public long Calls { get; init; }
    public IReadOnlyList<RowErrorView> FirstRowErrors { get; init; } = [];

    internal TableEntity ToEntity() => new(ImportId, ImportTable.HeaderKey)
    {
        ["Status"] = Status,
        ["Format"] = Format,
        ["Strict"] = Strict,
        ["ReceivedAt"] = ReceivedAt,
        ["QueuedAt"] = QueuedAt,
        ["Accepted"] = Accepted,
        ["Rejected"] = Rejected,
        ["Duplicates"] = Duplicates,
        ["Chunks"] = Chunks,
        ["Calls"] = Calls,
        // A property holds at most 64 KB; the first errors are few and messages short.
        ["FirstRowErrors"] = JsonSerializer.Serialize(FirstRowErrors, ImportJsonContext.Default.IReadOnlyListRowErrorView),
    };

    internal static ImportHeader FromEntity(TableEntity entity) => new()
    {
        ImportId = entity.PartitionKey,
        Status = entity.GetString("Status") ?? ImportStatus.Receiving,
        Format = entity.GetString("Format") ?? "",
        Strict = entity.GetBoolean("Strict") ?? false,
        ReceivedAt = entity.GetDateTimeOffset("ReceivedAt") ?? DateTimeOffset.MinValue,
        QueuedAt = entity.GetDateTimeOffset("QueuedAt"),
        Accepted = entity.GetInt32("Accepted") ?? 0,
        Rejected = entity.GetInt32("Rejected") ?? 0,
        Duplicates = entity.GetInt32("Duplicates") ?? 0,
        Chunks = entity.GetInt32("Chunks") ?? 0,
        Calls = entity.GetInt64("Calls") ?? 0,
        FirstRowErrors = entity.GetString("FirstRowErrors") is { Length: > 0 } json
            ? JsonSerializer.Deserialize(json, ImportJsonContext.Default.IReadOnlyListRowErrorView) ?? []
            : [],
    };
}

/// <summary>A row Libromi refused (or that failed past the retry limit), with Libromi's reason.</summary>
public sealed record FailedRow
{
    public required int Line { get; init; }
    public required string PhoneNumber { get; init; }
    /// <summary>"rejected", "exhausted" or "unreadable", as in the dead-letter record.</summary>
    public required string ReasonClass { get; init; }
    public required string Reason { get; init; }
    [JsonPropertyName("status")] public int? StatusCode { get; init; }
    public IReadOnlyDictionary<string, string[]>? FieldErrors { get; init; }
    public required DateTimeOffset FailedAt { get; init; }
    public required string OperationId { get; init; }
    /// <summary>Where the row's operation tells its story, Libromi's answers included (<c>GET /api/operations/{id}</c>).</summary>
    public string Operation => $"/api/operations/{OperationId}";

    internal TableEntity ToEntity(string importId) => new(importId, ImportTable.FailedKey(Line))
    {
        ["Line"] = Line,
        ["PhoneNumber"] = PhoneNumber,
        ["ReasonClass"] = ReasonClass,
        ["Reason"] = Truncate(Reason, 4000),
        ["StatusCode"] = StatusCode,
        ["FieldErrors"] = FieldErrors is null ? null : Truncate(JsonSerializer.Serialize(FieldErrors, ImportJsonContext.Default.IReadOnlyDictionaryStringStringArray), 16000),
        ["FailedAt"] = FailedAt,
        ["OperationId"] = OperationId,
    };

    internal static FailedRow FromEntity(TableEntity entity) => new()
    {
        Line = entity.GetInt32("Line") ?? 0,
        PhoneNumber = entity.GetString("PhoneNumber") ?? "",
        ReasonClass = entity.GetString("ReasonClass") ?? "",
        Reason = entity.GetString("Reason") ?? "",
        StatusCode = entity.GetInt32("StatusCode"),
        FieldErrors = entity.GetString("FieldErrors") is { Length: > 0 } json ? TryParseFieldErrors(json) : null,
        FailedAt = entity.GetDateTimeOffset("FailedAt") ?? DateTimeOffset.MinValue,
        OperationId = entity.GetString("OperationId") ?? "",
    };

    private static Dictionary<string, string[]>? TryParseFieldErrors(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, ImportJsonContext.Default.DictionaryStringStringArray);
        }
        catch (JsonException)
        {
            return null; // truncated: the reason still says what happened
        }
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}

/// <summary>A row refused at upload, as the API shows it.</summary>
public sealed record RowErrorView(
    int Line,
    string Field,
    string Message)
{
    public static RowErrorView From(ImportRowError error) => new(error.Line, error.Field, error.Message);
}

public static class ImportStatus
{
    public const string Receiving = "receiving";
    public const string Queued = "queued";
    public const string Delivering = "delivering";
    public const string Completed = "completed";
    public const string CompletedWithFailures = "completed_with_failures";

    /// <summary>
    /// Header only, never shown: the retention sweep is deleting the import (Retention__FinishedImports after it
    /// finished), and its progress answers 404 from the moment the sweep decided.
    /// </summary>
    public const string Expired = "expired";
}

// Row errors are stored as the progress answer shows them (snake_case); packed operations name their fields.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IReadOnlyList<RowErrorView>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string[]>))]
[JsonSerializable(typeof(Dictionary<string, string[]>))]
[JsonSerializable(typeof(Operations.PackedOperation))]
internal sealed partial class ImportJsonContext : JsonSerializerContext;
