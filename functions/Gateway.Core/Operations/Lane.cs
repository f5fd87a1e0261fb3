using System.Text.Json.Serialization;

namespace Libromi.Gateway.Operations;

/// <summary>
/// Which queue an operation travels in, and so who goes first for a permit. It belongs to the operation, not to the
/// queues: the Libromi client tags its requests with it and the rate limiter orders waiters by it.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<Lane>))]
public enum Lane
{
    /// <summary>Webhooks and the canonical API: always delivered first.</summary>
    [JsonStringEnumMemberName("realtime")] Realtime,
    /// <summary>Imports: only capacity realtime leaves.</summary>
    [JsonStringEnumMemberName("bulk")] Bulk,
}
