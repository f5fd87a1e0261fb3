using System.Text.Json.Serialization;

namespace Libromi.Gateway.Operations;

/// <summary>
/// What the dead-letter table holds (<c>DeadLetters.DeadLetterStore</c>): the operation as it last stood, why it failed and what Libromi said,
/// so an operator can understand it and replay it.
/// </summary>
public sealed record DeadLetterRecord
{
    /// <summary>The operation as it last stood; null only for a message that could not be read at all.</summary>
    [JsonPropertyName("envelope")] public OperationEnvelope? Envelope { get; init; }
    /// <summary>The raw body of an unreadable message, so nothing is lost.</summary>
    [JsonPropertyName("raw_message")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RawMessage { get; init; }
    /// <summary>"rejected" (Libromi refused the data), "exhausted" (transient failures past the attempt limit) or "unreadable".</summary>
    [JsonPropertyName("reason_class")] public required string ReasonClass { get; init; }
    [JsonPropertyName("reason")] public required string Reason { get; init; }
    [JsonPropertyName("status")] public int? StatusCode { get; init; }
    [JsonPropertyName("libromi_answer")] public string? LibromiAnswer { get; init; }
    [JsonPropertyName("field_errors")] public IReadOnlyDictionary<string, string[]>? FieldErrors { get; init; }
    [JsonPropertyName("dead_lettered_at")] public required DateTimeOffset DeadLetteredAt { get; init; }
}
