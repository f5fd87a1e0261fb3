using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Queueing;

/// <summary>Reads and writes queue message bodies. A message Azure Storage accepts is at most 64 KB.</summary>
public static class EnvelopeSerializer
{
    // Base64 (which both hosts use, see OperationQueues) inflates by 4/3: 48 KB of JSON stays under 64 KB.
    public const int MaxMessageJsonBytes = 48 * 1024;

    /// <summary>The envelope with its message body, serialised once: measured before it is stored, then stored as is.</summary>
    public static SerializedEnvelope Prepare(OperationEnvelope envelope) => new(envelope, Serialize(envelope));

    public static string Serialize(OperationEnvelope envelope) =>
        JsonSerializer.Serialize(envelope, GatewayJsonContext.Default.OperationEnvelope);

    /// <summary>Parses a message body; a body that is not a known envelope version is reported, not thrown.</summary>
    public static bool TryDeserialize(string json, [NotNullWhen(true)] out OperationEnvelope? envelope, [NotNullWhen(false)] out string? error)
    {
        envelope = null;
        try
        {
            envelope = JsonSerializer.Deserialize(json, GatewayJsonContext.Default.OperationEnvelope);
        }
        catch (JsonException exception)
        {
            error = $"The message is not a valid operation envelope: {exception.Message}";
            return false;
        }
        if (envelope is null || envelope.Version is not (OperationEnvelope.CurrentVersion or OperationEnvelope.PackedVersion) || envelope.Steps.Count == 0)
        {
            error = envelope is null ? "The message is empty." : $"Unsupported envelope (version {envelope.Version}, {envelope.Steps.Count} steps).";
            envelope = null;
            return false;
        }
        error = null;
        return true;
    }
}

/// <summary>An envelope and its JSON message body; <see cref="JsonBytes"/> is its size as stored (UTF-8, before Base64).</summary>
public sealed record SerializedEnvelope(OperationEnvelope Envelope, string Json)
{
    public int JsonBytes { get; } = System.Text.Encoding.UTF8.GetByteCount(Json);
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(OperationEnvelope))]
[JsonSerializable(typeof(DeadLetterRecord))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
