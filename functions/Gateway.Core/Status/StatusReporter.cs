using Libromi.Gateway.Health;
using Libromi.Gateway.Imports;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Status;

/// <summary>
/// <c>GET /api/status</c>, what the status page polls: lanes with depth, oldest age and ETA, the rate-limit
/// gauge, the circuit, the dead-letter count, running imports and per-minute throughput. It carries no
/// operation data (phone numbers, payloads): those are behind the admin key in <c>/api/dead-letters</c>.
/// </summary>
public sealed class StatusReporter(GatewaySnapshotBuilder snapshots, RunningImports runningImports, ThroughputWindow window, IOptions<LibromiClientOptions> libromi)
{
    public const int ChartMinutes = 30;

    /// <summary>
    /// Running imports shown, newest first. Each costs a query per poll (its chunks' checkpoints), so the page's cost
    /// stays bounded however many imports are queued; the rest are only counted.
    /// </summary>
    public const int ImportsShown = 10;

    public async Task<StatusSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var imports = new RunningImportsView([], 0);
        var snapshot = await snapshots.BuildAsync(
            async token => imports = await runningImports.ReadAsync(ImportsShown, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var now = snapshot.TakenAt;
        var samples = snapshot.Lanes ?? [];

        var plan = libromi.Value;
        // The sustained rate is the tighter of the two windows: 1,000 an hour is under 17 a minute.
        var perSecond = Math.Min(plan.RequestsPerMinute / 60.0, plan.RequestsPerHour / 3600.0);
        var realtime = samples.FirstOrDefault(s => s.Queue == QueueNames.Realtime);
        var bulk = samples.FirstOrDefault(s => s.Queue == QueueNames.Bulk);
        // Realtime goes first, so bulk waits for both backlogs.
        LaneStatus? Lane(string name, LaneSample? sample, int ahead) => sample is null ? null
            : new LaneStatus(name, sample.Queue, sample.Depth, sample.OldestAge?.TotalSeconds, Math.Ceiling((ahead + sample.Depth) / perSecond));

        return new StatusSnapshot(
            now,
            snapshot.StorageReachable,
            [.. new[] { Lane("realtime", realtime, 0), Lane("bulk", bulk, realtime?.Depth ?? 0) }.OfType<LaneStatus>()],
            new RateLimitStatus(plan.RequestsPerMinute, plan.RequestsPerHour,
                window.RequestsSince(now - TimeSpan.FromMinutes(1)), window.RequestsSince(now - TimeSpan.FromHours(1)),
                snapshot.PausedUntil),
            snapshot.Circuit,
            snapshot.DeadLetters,
            [.. imports.Shown.Select(RunningImportStatus.From)],
            imports.NotShown,
            window.PerMinute(now, ChartMinutes));
    }

    public static async Task<JsonHttpResult<StatusSnapshot>> HandleAsync(StatusReporter reporter, CancellationToken cancellationToken) =>
        TypedResults.Json(await reporter.SnapshotAsync(cancellationToken).ConfigureAwait(false));
}

public sealed record StatusSnapshot(
    DateTimeOffset GeneratedAt,
    bool StorageReachable,
    IReadOnlyList<LaneStatus> Lanes,
    RateLimitStatus RateLimit,
    CircuitHealth Circuit,
    int? DeadLetters,
    IReadOnlyList<RunningImportStatus> Imports,
    int ImportsNotShown,
    IReadOnlyList<ThroughputPoint> Throughput);

public sealed record LaneStatus(
    string Name,
    string Queue,
    int Depth,
    double? OldestAgeSeconds,
    double EtaSeconds);

public sealed record RateLimitStatus(
    int PerMinute,
    int PerHour,
    long UsedLastMinute,
    long UsedLastHour,
    DateTimeOffset? PausedUntil);

/// <summary>A running import's progress: counts only, like the rest of the snapshot (its rows are behind the API key).</summary>
public sealed record RunningImportStatus(
    string Id,
    string Status,
    int Total,
    int Done,
    DateTimeOffset? QueuedAt)
{
    public static RunningImportStatus From(RunningImport import) => new(import.ImportId, import.Status, import.Total, import.Done, import.QueuedAt);
}
