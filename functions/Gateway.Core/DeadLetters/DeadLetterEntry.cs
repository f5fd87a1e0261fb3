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
    IReadOnlyList<DeadLetterItem> Items,
    string? NextCursor);

/// <summary>A dead letter as the admin API shows it: the record's fields plus its id and where it came from.</summary>
public sealed record DeadLetterItem(
    string Id,
    string? OperationId,
    string? Source,
    Lane? Lane,
    string ReasonClass,
    string Reason,
    [property: JsonPropertyName("status")] int? StatusCode,
    string? LibromiAnswer,
    IReadOnlyDictionary<string, string[]>? FieldErrors,
    DateTimeOffset DeadLetteredAt,
    OperationEnvelope? Envelope,
    string? RawMessage)
{
    /// <summary>Where the operation's trail answers (<c>GET /api/operations/{id}</c>); null for an unreadable message.</summary>
    public string? Operation => OperationId is null ? null : $"/api/operations/{OperationId}";

    public static DeadLetterItem From(DeadLetterEntry entry)
    {
        var record = entry.Record;
        return new DeadLetterItem(entry.Id, entry.OperationId, entry.Source, record.Envelope?.Lane, record.ReasonClass, record.Reason,
            record.StatusCode, record.LibromiAnswer, record.FieldErrors, record.DeadLetteredAt, record.Envelope, record.RawMessage);
    }
}
