using System.Text.Json.Serialization;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.DeadLetters;

/// <summary>A stored dead letter: its id and the record as the processor wrote it.</summary>
public sealed record DeadLetterEntry(string Id, DeadLetterRecord Record)
{
    public string? OperationId => Record.Envelope?.OperationId;

    public string? Source => Record.Envelope?.Source;
}

/// <summary>One page of <c>GET /api/dead-letters</c>; <c>next_cursor</c> is null on the last page.</summary>
public sealed record DeadLetterPage(
    [property: JsonPropertyName("items")] IReadOnlyList<DeadLetterItem> Items,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>A dead letter as the admin API shows it: the record's fields plus its id and where it came from.</summary>
public sealed record DeadLetterItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("operation_id")] string? OperationId,
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("lane")] Lane? Lane,
    [property: JsonPropertyName("reason_class")] string ReasonClass,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("status")] int? StatusCode,
    [property: JsonPropertyName("libromi_answer")] string? LibromiAnswer,
    [property: JsonPropertyName("field_errors")] IReadOnlyDictionary<string, string[]>? FieldErrors,
    [property: JsonPropertyName("dead_lettered_at")] DateTimeOffset DeadLetteredAt,
    [property: JsonPropertyName("envelope")] OperationEnvelope? Envelope,
    [property: JsonPropertyName("raw_message")] string? RawMessage)
{
    /// <summary>Where the operation's trail answers (<c>GET /api/operations/{id}</c>); null for an unreadable message.</summary>
    [JsonPropertyName("operation")] public string? Operation => OperationId is null ? null : $"/api/operations/{OperationId}";

    public static DeadLetterItem From(DeadLetterEntry entry)
    {
        var record = entry.Record;
        return new DeadLetterItem(entry.Id, entry.OperationId, entry.Source, record.Envelope?.Lane, record.ReasonClass, record.Reason,
            record.StatusCode, record.LibromiAnswer, record.FieldErrors, record.DeadLetteredAt, record.Envelope, record.RawMessage);
    }
}
