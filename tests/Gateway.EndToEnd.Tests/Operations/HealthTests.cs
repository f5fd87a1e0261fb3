using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.EndToEnd.Operations;

/// <summary>Liveness never depends on storage; readiness and the full report do.</summary>
public sealed class HealthTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task With_storage_unreachable_the_process_is_live_but_not_ready()
    {
        // Nothing listens on this port: storage is down from the start.
        var deadPort = AzuriteFixture.FreePort();
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:{deadPort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{deadPort}/devstoreaccount1;BlobEndpoint=http://127.0.0.1:{deadPort}/devstoreaccount1;",
        });

        var live = await gateway.Client.GetAsync("/api/health/live");
        var ready = await gateway.Client.GetAsync("/api/health/ready");
        var full = await gateway.Client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("live", (await live.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("application/problem+json", ready.Content.Headers.ContentType?.MediaType);
        Assert.Contains("unreachable", (await ready.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full.StatusCode);
    }

    [Fact]
    public async Task Ready_and_the_full_report_shows_lane_depth_oldest_age_circuit_and_dead_letters()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        // Sending stopped (as after a 401): the operation waits in its lane, visible to the report.
        gateway.App.Services.GetRequiredService<SendingState>().OpenCircuit("401 from Libromi", TimeSpan.FromHours(1));
        await DeadLetterSeed.AddAsync(gateway.DeadLetters, DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.Accepted, (await gateway.PostJsonAsync("/api/contacts", """{"phone_number": "+447700900901", "attributes": {"a": 1}}""")).StatusCode);

        var ready = await gateway.Client.GetAsync("/api/health/ready");
        var report = await Eventually.WaitForAsync(
            async () => (await gateway.Client.GetFromJsonAsync<JsonObject>("/api/health"))!,
            r => r["lanes"]?["realtime"]?["oldest_age_seconds"] is not null, "the realtime lane's oldest message in the report");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("degraded", report["status"]!.GetValue<string>());
        Assert.Equal("open", report["circuit"]!["state"]!.GetValue<string>());
        Assert.Equal("401 from Libromi", report["circuit"]!["reason"]!.GetValue<string>());
        Assert.Equal(1, report["lanes"]!["realtime"]!["depth"]!.GetValue<int>());
        Assert.InRange(report["lanes"]!["realtime"]!["oldest_age_seconds"]!.GetValue<double>(), 0, 60);
        Assert.Equal(0, report["lanes"]!["bulk"]!["depth"]!.GetValue<int>());
        Assert.Null(report["lanes"]!["bulk"]!["oldest_age_seconds"]);
        Assert.Equal(1, report["dead_letters"]!.GetValue<int>());
        Assert.Equal("configuration", report["secret_source"]!.GetValue<string>());
    }
}
