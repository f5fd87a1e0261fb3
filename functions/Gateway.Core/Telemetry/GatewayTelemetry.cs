using System.Diagnostics;
using System.Diagnostics.Metrics;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Operations;
using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.Telemetry;

/// <summary>
/// The gateway's metrics (Meter <c>Libromi.Gateway</c>) and traces (ActivitySource <c>Libromi.Gateway</c>).
/// Counters are recorded where things happen; gauges read the last <see cref="StorageSample"/> the
/// <see cref="Health.TelemetrySampler"/> took, because a gauge callback must not do I/O. Alert rules in
/// <c>infra/modules/alerts</c> query <c>gateway.deadletter.depth</c> and <c>gateway.circuit.open</c> by name.
/// </summary>
public sealed class GatewayTelemetry : IDisposable
{
    public const string Name = "Libromi.Gateway";

    /// <summary>Tag and baggage key that lets one operation be followed from ingest to Libromi.</summary>
    public const string CorrelationTag = "gateway.correlation_id";
    public const string OperationTag = "gateway.operation_id";

    public static ActivitySource ActivitySource { get; } = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _permitsUsed;
    private readonly Counter<long> _coalesced;
    private readonly Histogram<double> _latency;
    private readonly ThroughputWindow _window;
    private volatile StorageSample _sample = StorageSample.None;

    public GatewayTelemetry(IMeterFactory meterFactory, SendingState sendingState, ThroughputWindow window, Microsoft.Extensions.Options.IOptions<Libromi.LibromiClientOptions> libromi,
        [Microsoft.Extensions.DependencyInjection.FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider)
    {
        _window = window;
        _meter = meterFactory.Create(Name);
        _accepted = _meter.CreateCounter<long>("gateway.operations.accepted", "{operation}", "Operations stored in a lane (webhooks, canonical API, imports).");
        _delivered = _meter.CreateCounter<long>("gateway.operations.delivered", "{operation}", "Operations Libromi accepted (all steps).");
        _retried = _meter.CreateCounter<long>("gateway.operations.retried", "{operation}", "Operations put back after a transient failure (attempt counted).");
        _deadLettered = _meter.CreateCounter<long>("gateway.operations.deadlettered", "{operation}", "Operations dead-lettered, by reason class.");
        _rateLimited = _meter.CreateCounter<long>("gateway.libromi.rate_limited", "{response}", "429 answers received from Libromi.");
        _permitsUsed = _meter.CreateCounter<long>("gateway.ratelimit.permits.used", "{request}", "Rate-limit permits spent on calls to Libromi.");
        _coalesced = _meter.CreateCounter<long>("gateway.operations.coalesced", "{call}", "Calls to Libromi saved by merging queued attribute updates for one contact into one.");
        _latency = _meter.CreateHistogram<double>("gateway.delivery.latency", "s", "Time from receipt by the gateway to delivery at Libromi.");

        var options = libromi.Value;
        _meter.CreateObservableGauge("gateway.ratelimit.limit", () => new[]
        {
            new Measurement<int>(options.RequestsPerMinute, new KeyValuePair<string, object?>("window", "minute")),
            new Measurement<int>(options.RequestsPerHour, new KeyValuePair<string, object?>("window", "hour")),
        }, "{request}", "The Libromi plan's limits.");
        _meter.CreateObservableGauge("gateway.ratelimit.permits.recent", () =>
        {
            var now = timeProvider.GetUtcNow();
            return new[]
            {
                new Measurement<long>(window.RequestsSince(now - TimeSpan.FromMinutes(1)), new KeyValuePair<string, object?>("window", "minute")),
                new Measurement<long>(window.RequestsSince(now - TimeSpan.FromHours(1)), new KeyValuePair<string, object?>("window", "hour")),
            };
        }, "{request}", "Permits this instance spent in the last minute and hour, to compare with gateway.ratelimit.limit.");
        _meter.CreateObservableGauge("gateway.circuit.open", () => sendingState.Circuit.IsOpen ? 1 : 0, "{circuit}", "1 while sending is stopped because Libromi rejects the token.");
        _meter.CreateObservableGauge("gateway.queue.depth", () => _sample.Lanes.Select(lane =>
            new Measurement<long>(lane.Depth, new KeyValuePair<string, object?>("queue", lane.Queue))), "{message}", "Approximate messages per queue.");
        _meter.CreateObservableGauge("gateway.queue.oldest_age", () => _sample.Lanes.Where(lane => lane.OldestAge is not null).Select(lane =>
            new Measurement<double>(lane.OldestAge!.Value.TotalSeconds, new KeyValuePair<string, object?>("queue", lane.Queue))), "s", "Age of the oldest visible message per queue.");
        _meter.CreateObservableGauge("gateway.deadletter.depth", () => _sample.DeadLetters is { } depth ? [new Measurement<long>(depth)] : Array.Empty<Measurement<long>>(),
            "{operation}", "Dead letters waiting for inspection, replay or deletion.");
    }

    public void Accepted(Lane lane, string source) =>
        _accepted.Add(1, Lane(lane), new("source_kind", SourceKind(source)));

    public void Delivered(OperationEnvelope envelope, DateTimeOffset now)
    {
        _delivered.Add(1, Lane(envelope.Lane));
        _latency.Record(Math.Max(0, (now - envelope.ReceivedAt).TotalSeconds), Lane(envelope.Lane));
        _window.RecordDelivered(now);
    }

    public void Retried(Lane lane) => _retried.Add(1, Lane(lane));

    public void DeadLettered(string reasonClass, Lane? lane, DateTimeOffset now)
    {
        _deadLettered.Add(1, new KeyValuePair<string, object?>("reason_class", reasonClass), new("lane", lane is { } l ? LaneName(l) : "unknown"));
        _window.RecordDeadLettered(now);
    }

    public void RateLimited() => _rateLimited.Add(1);

    public void Coalesced(int callsSaved, Lane lane) => _coalesced.Add(callsSaved, Lane(lane));

    public void PermitUsed(DateTimeOffset now)
    {
        _permitsUsed.Add(1);
        _window.RecordRequest(now);
    }

    /// <summary>The latest queue and dead-letter readings, for the gauges.</summary>
    public void Observe(StorageSample sample) => _sample = sample;

    public void Dispose() => _meter.Dispose();

    internal static string LaneName(Lane lane) => lane == Operations.Lane.Bulk ? "bulk" : "realtime";

    /// <summary>"api", "hook" or "import": the source without its id, so tags stay few.</summary>
    internal static string SourceKind(string source) => source.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 ? source[..colon] : source;

    private static KeyValuePair<string, object?> Lane(Lane lane) => new("lane", LaneName(lane));
}

/// <summary>One reading of the queues and the dead-letter table.</summary>
public sealed record StorageSample(IReadOnlyList<LaneSample> Lanes, int? DeadLetters)
{
    public static StorageSample None { get; } = new([], null);
}
