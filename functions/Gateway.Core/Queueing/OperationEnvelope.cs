using System.Text.Json.Serialization;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Queueing;

/// <summary>
/// One queue message: the ordered steps for one contact, so "upsert, then assign" from one event cannot
/// run out of order. Versioned so a rolling deployment can tell old messages from new ones. Never holds a
/// secret: only the operation, where it came from and how far it got.
/// </summary>
public sealed record OperationEnvelope
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("v")] public int Version { get; init; } = CurrentVersion;
    [JsonPropertyName("id")] public required string OperationId { get; init; }
    [JsonPropertyName("phone")] public required string PhoneNumber { get; init; }
    /// <summary>The steps still to deliver; delivered steps are removed when the message is requeued.</summary>
    [JsonPropertyName("steps")] public required IReadOnlyList<OperationStep> Steps { get; init; }
    /// <summary>"api", "hook:{integration}" or "import:{id}".</summary>
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("lane")] public Lane Lane { get; init; } = Lane.Realtime;
    [JsonPropertyName("received")] public required DateTimeOffset ReceivedAt { get; init; }
    /// <summary>Failed delivery attempts so far (429s and auth faults are not the message's fault and do not count).</summary>
    [JsonPropertyName("attempt")] public int Attempt { get; init; }
    [JsonPropertyName("correlation")] public required string CorrelationId { get; init; }
    /// <summary>Every failed attempt's time and outcome, for the dead-letter record.</summary>
    [JsonPropertyName("history")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<AttemptRecord>? History { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<Lane>))]
public enum Lane
{
    /// <summary>Webhooks and the canonical API: always delivered first.</summary>
    [JsonStringEnumMemberName("realtime")] Realtime,
    /// <summary>Imports: only capacity realtime leaves.</summary>
    [JsonStringEnumMemberName("bulk")] Bulk,
}

public sealed record AttemptRecord(
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("status")] int? StatusCode,
    [property: JsonPropertyName("detail")] string Detail);
