using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Telemetry;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Libromi.Gateway.EndToEnd.Operations;

/// <summary>The pipeline emits its metrics and one traceable path per operation, from ingest to the call to Libromi.</summary>
public sealed class TelemetryTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Delivery_and_dead_letter_are_counted_with_latency_and_reason_class()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        var meters = gateway.App.Services.GetRequiredService<IMeterFactory>();
        using var accepted = new MetricCollector<long>(meters, GatewayTelemetry.Name, "gateway.operations.accepted");
        using var delivered = new MetricCollector<long>(meters, GatewayTelemetry.Name, "gateway.operations.delivered");
        using var deadLettered = new MetricCollector<long>(meters, GatewayTelemetry.Name, "gateway.operations.deadlettered");
        using var latency = new MetricCollector<double>(meters, GatewayTelemetry.Name, "gateway.delivery.latency");
        using var permits = new MetricCollector<long>(meters, GatewayTelemetry.Name, "gateway.ratelimit.permits.used");

        await gateway.PostJsonAsync("/api/contacts", """{"phone_number": "+447700900951", "attributes": {"a": 1}}""");
        await gateway.PostJsonAsync("/api/contacts", """{"phone_number": "+447700900952", "attributes": {"email": "not-an-email"}}""");
        await Eventually.WaitForAsync(() => Task.FromResult(deadLettered.GetMeasurementSnapshot().Count + delivered.GetMeasurementSnapshot().Count), n => n == 2, "one delivery and one dead letter");

        Assert.Equal(2, accepted.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal("rejected", Assert.Single(deadLettered.GetMeasurementSnapshot()).Tags["reason_class"]);
        Assert.InRange(Assert.Single(latency.GetMeasurementSnapshot()).Value, 0, 30);
        Assert.True(permits.GetMeasurementSnapshot().Sum(m => m.Value) >= 2);
    }

    [Fact]
    public async Task Callers_correlation_id_is_on_the_ingest_and_processing_activities_and_the_call_to_libromi_is_a_child()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is GatewayTelemetry.Name or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        const string correlation = "order-4711-trace";

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/contacts")
        {
            Content = new StringContent("""{"phone_number": "+447700900961", "attributes": {"a": 1}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-correlation-id", correlation);
        Assert.Equal(HttpStatusCode.Accepted, (await gateway.Client.SendAsync(request)).StatusCode);

        var process = await Eventually.WaitForAsync(
            () => Task.FromResult(stopped.FirstOrDefault(a => a.OperationName == "process operation" && Equals(a.GetTagItem(GatewayTelemetry.CorrelationTag), correlation))),
            a => a is not null, "the processing activity");
        var ingest = Assert.Single(stopped, a => a.OperationName == "ingest operation" && Equals(a.GetTagItem(GatewayTelemetry.CorrelationTag), correlation));
        Assert.Equal(ingest.GetTagItem(GatewayTelemetry.OperationTag), process!.GetTagItem(GatewayTelemetry.OperationTag));
        Assert.Equal("Delivered", process.GetTagItem("gateway.outcome"));
        var libromiCalls = stopped.Where(a => a.Source.Name == "System.Net.Http" && a.ParentSpanId == process.SpanId).ToList();
        Assert.NotEmpty(libromiCalls);
        Assert.All(libromiCalls, call => Assert.Equal(correlation, call.GetBaggageItem(GatewayTelemetry.CorrelationTag)));
        Assert.All(libromiCalls, call => Assert.Equal(process.TraceId, call.TraceId));
    }
}
