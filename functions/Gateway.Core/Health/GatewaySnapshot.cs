using Libromi.Gateway.Queueing;

namespace Libromi.Gateway.Health;

/// <summary>
/// What the gateway looks like at one moment, read once by <see cref="GatewaySnapshotBuilder"/>: storage, the lanes'
/// queues, dead letters, the token circuit and the pause after a 429. The health report and the status page both
/// render this one value, so they cannot disagree about what they read.
/// </summary>
/// <param name="StorageError">Null while storage answered; otherwise why not, without any secret or URL.</param>
/// <param name="Lanes">Every queue sampled, or null when storage did not answer.</param>
/// <param name="PausedUntil">When sending resumes after a 429; null when not paused at <paramref name="TakenAt"/>.</param>
public sealed record GatewaySnapshot(
    DateTimeOffset TakenAt,
    string? StorageError,
    IReadOnlyList<LaneSample>? Lanes,
    int? DeadLetters,
    CircuitHealth Circuit,
    DateTimeOffset? PausedUntil)
{
    public bool StorageReachable => StorageError is null;

    public bool CircuitOpen => Circuit.State == CircuitHealth.Open;
}
