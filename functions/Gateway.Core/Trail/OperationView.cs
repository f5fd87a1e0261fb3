using System.Text.Json.Serialization;
using Azure.Data.Tables;

namespace Libromi.Gateway.Trail;

/// <summary><c>GET /api/operations/{id}</c>: what became of one operation, with every Libromi call the trail recorded.</summary>
public sealed record OperationView(
    string OperationId,
    string State,
    string Lane,
    OperationSource Source,
    string PhoneNumber,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? UpdatedAt,
    IReadOnlyList<string>? Steps,
    int? StepsLeft,
    int Attempts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? NextAttemptAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MergedInto,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ReplayedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<LibromiCallView>? Calls,
    IReadOnlyDictionary<string, string> Links)
{
    internal static OperationView From(TableEntity summary, IReadOnlyList<TableEntity> calls)
    {
        var id = summary.GetString("OperationId") ?? "";
        var state = summary.GetString("State") ?? OperationStates.Queued;
        var source = OperationSource.From(summary.GetString("Source") ?? "", summary.GetString("DeliveryId"), summary.GetInt32("ImportLine"));
        var links = new Dictionary<string, string> { ["self"] = $"/api/operations/{id}" };
        if (source.DeliveryId is { } deliveryId)
        {
            links["delivery"] = $"/api/deliveries/{deliveryId}";
        }
        if (source.ImportId is { } importId)
        {
            links["import"] = $"/api/imports/{importId}";
        }
        if (summary.GetString("MergedInto") is { } into)
        {
            links["merged_into"] = $"/api/operations/{into}";
        }
        return new OperationView(
            id,
            state,
            summary.GetString("Lane") ?? "realtime",
            source,
            summary.GetString("Phone") ?? "",
            summary.GetDateTimeOffset("ReceivedAt") ?? DateTimeOffset.MinValue,
            summary.GetDateTimeOffset("UpdatedAt"),
            summary.GetString("Steps") is { Length: > 0 } steps ? steps.Split(',') : null,
            summary.GetInt32("StepsLeft"),
            summary.GetInt32("Attempts") ?? 0,
            state == OperationStates.Sending ? summary.GetDateTimeOffset("NextAttemptAt") : null,
            summary.GetString("Reason"),
            summary.GetString("MergedInto"),
            summary.GetDateTimeOffset("ReplayedAt"),
            calls.Count == 0 ? null : [.. calls.OrderBy(c => c.GetDateTimeOffset("At")).ThenBy(c => c.RowKey, StringComparer.Ordinal).Select(LibromiCallView.From)],
            links);
    }
}

/// <summary>Where an operation came from: the API, a webhook integration (and the delivery), or an import (and the file's line).</summary>
public sealed record OperationSource(
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Integration,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DeliveryId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ImportId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Line)
{
    public const string HookPrefix = "hook:";
    public const string ImportPrefix = "import:";

    /// <summary>The envelope's source as stored (<c>api</c>, <c>hook:{name}</c>, <c>import:{id}</c>).</summary>
    [JsonIgnore] public string Raw { get; private init; } = "";

    internal static OperationSource From(string raw, string? deliveryId, int? line) =>
        raw.StartsWith(HookPrefix, StringComparison.Ordinal) ? new("webhook", raw[HookPrefix.Length..], deliveryId, null, null) { Raw = raw }
        : raw.StartsWith(ImportPrefix, StringComparison.Ordinal) ? new("import", null, null, raw[ImportPrefix.Length..], line) { Raw = raw }
        : new(raw, null, null, null, null) { Raw = raw };
}

/// <summary>One call to Libromi as the trail shows it; <c>next_attempt_at</c> on the call after which the operation was put back.</summary>
public sealed record LibromiCallView(
    DateTimeOffset At,
    string Step,
    int Attempt,
    string Outcome,
    [property: JsonPropertyName("status")] int? StatusCode,
    string? Answer,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? NextAttemptAt)
{
    internal static LibromiCallView From(TableEntity row) => new(
        row.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue,
        row.GetString("Step") ?? "",
        row.GetInt32("Attempt") ?? 0,
        row.GetString("Outcome") ?? "",
        row.GetInt32("StatusCode"),
        row.GetString("Answer"),
        row.GetDateTimeOffset("NextAttemptAt"));
}

/// <summary>One page of <c>GET /api/operations</c>; <c>next_cursor</c> is null on the last page.</summary>
public sealed record OperationPage(
    IReadOnlyList<OperationView> Items,
    string? NextCursor);
