using System.Text.Json.Serialization;
using Libromi.Gateway.DeadLetters;
using Libromi.Gateway.Http;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Secrets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Libromi.Gateway.Storage;

namespace Libromi.Gateway.Health;

/// <summary>
/// <c>GET /api/health/live</c> (the process answers; no dependency is touched, so a storage outage never
/// gets the process restarted), <c>GET /api/health/ready</c> (storage reachable: queues and the dead-letter
/// table; 503 otherwise) and <c>GET /api/health</c>, the full report: storage, secret source, circuit,
/// rate-limit pause, queue depths, the oldest message's age per lane and the dead-letter count.
/// </summary>
public sealed class HealthReporter(OperationQueues queues, DeadLetterStore deadLetters, ISecretSource secrets, GatewaySnapshotBuilder snapshots, StorageDeadline storageDeadline)
{
    public async Task<HealthReport> ReportAsync(CancellationToken cancellationToken)
    {
        var snapshot = await snapshots.BuildAsync(alsoRead: null, cancellationToken).ConfigureAwait(false);
        var lanes = snapshot.Lanes;
        var status = !snapshot.StorageReachable ? "unhealthy" : snapshot.CircuitOpen || snapshot.PausedUntil is not null ? "degraded" : "healthy";
        return new HealthReport(
            status,
            new StorageHealth(snapshot.StorageReachable, snapshot.StorageError),
            secrets.Kind,
            snapshot.Circuit,
            snapshot.PausedUntil,
            lanes?.ToDictionary(lane => lane.Queue, lane => lane.Depth),
            lanes?.Where(lane => lane.Queue is QueueNames.Realtime or QueueNames.Bulk)
                .ToDictionary(lane => lane.Queue == QueueNames.Bulk ? "bulk" : "realtime", lane => new LaneHealth(lane.Depth, lane.OldestAge?.TotalSeconds)),
            snapshot.DeadLetters);
    }

    /// <summary>Storage answers within <c>Gateway__StorageTimeout</c>: the instance can take traffic.</summary>
    public async Task<string?> CheckReadinessAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = storageDeadline.Start(cancellationToken);
            await queues.Realtime.GetPropertiesAsync(timeout.Token).ConfigureAwait(false);
            await deadLetters.PingAsync(timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            return $"Storage is unreachable ({exception.GetType().Name}).";
        }
    }

    public static async Task<JsonHttpResult<HealthReport>> HandleAsync(HealthReporter reporter, CancellationToken cancellationToken)
    {
        var report = await reporter.ReportAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(report, statusCode: report.Status == "unhealthy" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    public static JsonHttpResult<ProbeAnswer> HandleLive() => TypedResults.Json(new ProbeAnswer("live"));

    public static async Task<Results<JsonHttpResult<ProbeAnswer>, ProblemHttpResult>> HandleReadyAsync(HealthReporter reporter, CancellationToken cancellationToken)
    {
        var problem = await reporter.CheckReadinessAsync(cancellationToken).ConfigureAwait(false);
        return problem is null
            ? TypedResults.Json(new ProbeAnswer("ready"))
            : Problems.Problem(StatusCodes.Status503ServiceUnavailable, "not-ready", "Not ready", $"{problem} The instance cannot accept operations now.");
    }
}

public sealed record ProbeAnswer(string Status);

public sealed record HealthReport(
    string Status,
    StorageHealth Storage,
    string SecretSource,
    CircuitHealth Circuit,
    DateTimeOffset? PausedUntil,
    [property: JsonPropertyName("queues")] IReadOnlyDictionary<string, int>? QueueDepths,
    IReadOnlyDictionary<string, LaneHealth>? Lanes,
    int? DeadLetters);

public sealed record LaneHealth(
    int Depth,
    double? OldestAgeSeconds);

public sealed record StorageHealth(bool Reachable, string? Error);

public sealed record CircuitHealth(
    string State,
    string? Reason,
    DateTimeOffset? Since)
{
    public const string Open = "open";
    public const string Closed = "closed";
}
