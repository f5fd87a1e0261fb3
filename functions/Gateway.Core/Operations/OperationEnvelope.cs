using System.Text.Json.Serialization;

namespace Libromi.Gateway.Operations;

/// <summary>
/// One queue message: the ordered steps for one contact, so "upsert, then assign" from one event cannot
/// run out of order. Versioned so a rolling deployment can tell old messages from new ones. Never holds a
/// secret: only the operation, where it came from and how far it got.
/// </summary>
public sealed record OperationEnvelope
{
    public const int CurrentVersion = 1;

    /// <summary>
    /// An import message packing several contacts (<see cref="Then"/>). A processor that knows only version 1
    /// dead-letters it whole (replayable) instead of delivering the first contact and dropping the rest.
    /// </summary>
    public const int PackedVersion = 2;

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
    /// <summary>Where an imported row came from, so its progress and failure can be recorded; null outside imports.</summary>
    [JsonPropertyName("import")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ImportPosition? Import { get; init; }
    /// <summary>
    /// Packed messages (version 2) only: the contacts to deliver after this one, in order. The fields above describe
    /// the first contact (its attempts and history included); each of these starts fresh.
    /// </summary>
    [JsonPropertyName("then")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<PackedOperation>? Then { get; init; }

    /// <summary>The contacts of this message as single-contact envelopes, in delivery order (one for a version 1 message).</summary>
    public IReadOnlyList<OperationEnvelope> Unpack()
    {
        if (Then is not { Count: > 0 } then)
        {
            return [this with { Version = CurrentVersion, Then = null }];
        }
        var contacts = new List<OperationEnvelope>(then.Count + 1) { this with { Version = CurrentVersion, Then = null } };
        contacts.AddRange(then.Select(next => this with
        {
            Version = CurrentVersion,
            OperationId = next.OperationId,
            PhoneNumber = next.PhoneNumber,
            Steps = next.Steps,
            Import = next.Import,
            Attempt = 0,
            History = null,
            Then = null,
        }));
        return contacts;
    }

    /// <summary>Packs single-contact envelopes of one source back into one message; the first keeps its attempts and history.</summary>
    public static OperationEnvelope Pack(IReadOnlyList<OperationEnvelope> contacts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(contacts.Count);
        return contacts.Count == 1
            ? contacts[0] with { Version = CurrentVersion, Then = null }
            : contacts[0] with
            {
                Version = PackedVersion,
                Then = [.. contacts.Skip(1).Select(c => new PackedOperation(c.OperationId, c.PhoneNumber, c.Steps, c.Import))],
            };
    }
}

/// <summary>One further contact of a packed message.</summary>
public sealed record PackedOperation(
    [property: JsonPropertyName("id")] string OperationId,
    [property: JsonPropertyName("phone")] string PhoneNumber,
    [property: JsonPropertyName("steps")] IReadOnlyList<OperationStep> Steps,
    [property: JsonPropertyName("import")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ImportPosition? Import);

/// <summary>
/// An imported row's place: the staged chunk it travels in, its index there (chunks are delivered in order, so
/// "how many of the chunk are done" is a checkpoint), and its line in the file for the failure report.
/// </summary>
public sealed record ImportPosition(
    [property: JsonPropertyName("chunk")] int Chunk,
    [property: JsonPropertyName("seq")] int Seq,
    [property: JsonPropertyName("line")] int Line);

public sealed record AttemptRecord(
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("status")] int? StatusCode,
    [property: JsonPropertyName("detail")] string Detail);
