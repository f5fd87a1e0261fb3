using System.Diagnostics.Metrics;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.Tests.Telemetry;

public sealed class GatewayTelemetryTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SendingState _sendingState;
    private readonly GatewayTelemetry _telemetry;

    public GatewayTelemetryTests()
    {
        _sendingState = new SendingState(_clock);
        _telemetry = new GatewayTelemetry(MeterFactory, _sendingState, new ThroughputWindow(),
            Options.Create(new LibromiClientOptions { RequestsPerMinute = 60, RequestsPerHour = 1000 }), _clock);
    }

    private IMeterFactory MeterFactory => _services.GetRequiredService<IMeterFactory>();

    [Fact]
    public void Delivery_counts_once_and_records_latency_from_receipt()
    {
        using var delivered = Collect<long>("gateway.operations.delivered");
        using var latency = Collect<double>("gateway.delivery.latency");

        _telemetry.Delivered(Envelope(Lane.Bulk, receivedAt: _clock.GetUtcNow().AddSeconds(-90)), _clock.GetUtcNow());

        var count = Assert.Single(delivered.GetMeasurementSnapshot());
        Assert.Equal(1, count.Value);
        Assert.Equal("bulk", count.Tags["lane"]);
        Assert.Equal(90, Assert.Single(latency.GetMeasurementSnapshot()).Value, precision: 6);
    }

    [Fact]
    public void Dead_letters_are_counted_by_reason_class()
    {
        using var deadLettered = Collect<long>("gateway.operations.deadlettered");

        _telemetry.DeadLettered(DeadLetterReasons.Rejected, Lane.Realtime, _clock.GetUtcNow());
        _telemetry.DeadLettered(DeadLetterReasons.Unreadable, null, _clock.GetUtcNow());

        var measurements = deadLettered.GetMeasurementSnapshot();
        Assert.Equal([DeadLetterReasons.Rejected, DeadLetterReasons.Unreadable], measurements.Select(m => (string)m.Tags["reason_class"]!));
        Assert.Equal("unknown", measurements[1].Tags["lane"]);
    }

    [Fact]
    public void Accepted_operations_are_tagged_by_source_kind_not_by_id()
    {
        using var accepted = Collect<long>("gateway.operations.accepted");

        _telemetry.Accepted(Lane.Bulk, "import:0190f3aa");
        _telemetry.Accepted(Lane.Realtime, "api");

        Assert.Equal(["import", "api"], accepted.GetMeasurementSnapshot().Select(m => (string)m.Tags["source_kind"]!));
    }

    [Fact]
    public void Retries_and_429s_are_counted()
    {
        using var retried = Collect<long>("gateway.operations.retried");
        using var rateLimited = Collect<long>("gateway.libromi.rate_limited");

        _telemetry.Retried(Lane.Realtime);
        _telemetry.RateLimited();
        _telemetry.RateLimited();

        Assert.Equal(1, retried.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(2, rateLimited.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public void Circuit_gauge_is_one_while_the_token_is_rejected_and_zero_after_a_delivery()
    {
        using var circuit = Collect<int>("gateway.circuit.open");

        circuit.RecordObservableInstruments();
        _sendingState.OpenCircuit("401 Unauthorized", TimeSpan.FromMinutes(1));
        circuit.RecordObservableInstruments();
        _sendingState.ReportDelivered();
        circuit.RecordObservableInstruments();

        Assert.Equal([0, 1, 0], circuit.GetMeasurementSnapshot().Select(m => m.Value));
    }

    [Fact]
    public void Queue_and_dead_letter_gauges_report_the_latest_sample_and_nothing_before_one()
    {
        using var deadLetters = Collect<long>("gateway.deadletter.depth");
        using var depth = Collect<long>("gateway.queue.depth");
        using var age = Collect<double>("gateway.queue.oldest_age");

        deadLetters.RecordObservableInstruments();
        Assert.Empty(deadLetters.GetMeasurementSnapshot());

        _telemetry.Observe(new StorageSample(
            [new LaneSample(QueueNames.Realtime, 3, TimeSpan.FromSeconds(42)), new LaneSample(QueueNames.Bulk, 0, null)], DeadLetters: 7));
        deadLetters.RecordObservableInstruments();
        depth.RecordObservableInstruments();
        age.RecordObservableInstruments();

        Assert.Equal(7, Assert.Single(deadLetters.GetMeasurementSnapshot()).Value);
        Assert.Equal([3L, 0L], depth.GetMeasurementSnapshot().Select(m => m.Value));
        var realtimeAge = Assert.Single(age.GetMeasurementSnapshot());
        Assert.Equal(42, realtimeAge.Value);
        Assert.Equal(QueueNames.Realtime, realtimeAge.Tags["queue"]);
    }

    [Fact]
    public void Permits_used_are_compared_with_the_plans_limits()
    {
        using var used = Collect<long>("gateway.ratelimit.permits.recent");
        using var limit = Collect<int>("gateway.ratelimit.limit");

        _telemetry.PermitUsed(_clock.GetUtcNow().AddMinutes(-5));
        _telemetry.PermitUsed(_clock.GetUtcNow().AddSeconds(-5));
        _telemetry.PermitUsed(_clock.GetUtcNow());
        used.RecordObservableInstruments();
        limit.RecordObservableInstruments();

        var byWindow = used.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["window"]!, m => m.Value);
        Assert.Equal(2, byWindow["minute"]);
        Assert.Equal(3, byWindow["hour"]);
        Assert.Equal([60, 1000], limit.GetMeasurementSnapshot().Select(m => m.Value));
    }

    private MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(MeterFactory, GatewayTelemetry.Name, instrument);

    private static OperationEnvelope Envelope(Lane lane, DateTimeOffset receivedAt) => new()
    {
        OperationId = "op-1",
        PhoneNumber = "447700900123",
        Steps = [OperationStep.EnsureContact()],
        Source = "api",
        Lane = lane,
        ReceivedAt = receivedAt,
        CorrelationId = "c-1",
    };

    public void Dispose()
    {
        _telemetry.Dispose();
        _services.Dispose();
    }
}
