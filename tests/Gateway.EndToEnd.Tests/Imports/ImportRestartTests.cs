using System.Net;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;

namespace Libromi.Gateway.EndToEnd.Imports;

/// <summary>An import survives its gateway stopping mid-way: progress is kept and delivered rows are not sent again.</summary>
public sealed class ImportRestartTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_gateway_stopped_mid_import_resumes_on_restart_without_redelivering_rows()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Imports:RowsPerMessage"] = "5",
            // Abandoned messages come back quickly for the second host.
            ["Queues:MessageHold"] = "00:00:01",
        };
        var csv = "phone_number,city\n" + string.Concat(Enumerable.Range(1, 30).Select(i => $"4477009006{i:D2},City {i}\n"));

        // The first host may send 10 calls a minute: it delivers 10 rows, then every message waits for a permit.
        var first = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?>(settings) { ["Libromi:RequestsPerMinute"] = "10", ["RateLimit:RealtimeReservePercent"] = "0" });
        string location;
        try
        {
            using var response = await first.PostFileAsync(csv);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            location = response.Headers.Location!.ToString();
            var midway = await first.WaitForProgressAsync(location, p => p["delivered"]!.GetValue<long>() == 10, "10 rows delivered");
            Assert.Equal(("delivering", 20), (midway["status"]!.GetValue<string>(), midway["pending"]!.GetValue<long>()));
            Assert.True(midway["eta_seconds"]!.GetValue<long>() > 0);
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var second = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, settings);
        // The progress kept in the table carries over (the new host may already have delivered more).
        Assert.True((await second.GetProgressAsync(location))["delivered"]!.GetValue<long>() >= 10);

        var done = await second.WaitForProgressAsync(location, ImportClient.IsFinished, "the import to finish after the restart");
        Assert.Equal(("completed", 30, 0), (done["status"]!.GetValue<string>(), done["delivered"]!.GetValue<long>(), done["pending"]!.GetValue<long>()));
        var updates = (await fixture.Simulator.Inspector.GetRequestsAsync()).Where(r => r.Method == "PUT" && r.Path.EndsWith("/attributes", StringComparison.Ordinal)).ToList();
        Assert.Equal(30, updates.Count);
        Assert.Equal(30, updates.Select(r => r.Path).Distinct().Count());
        Assert.Equal("City 17", (await fixture.Simulator.Inspector.GetContactAsync("447700900617"))!.Attributes["city"].GetString());
    }
}
