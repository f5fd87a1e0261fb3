using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.RateLimiting;
using Xunit.Abstractions;
using Libromi.Simulator.Inspection;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.EndToEnd.Fleet;

/// <summary>Three standalone hosts share one Libromi account whose limit is 10 calls a minute.</summary>
public sealed class FleetRateLimitTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Limit = 10;
    // A whole window, its margin and the lease validity: every permit granted before the step has left the ledger.
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(70);
    private FleetFixture _fleet = null!;

    public async Task InitializeAsync() => _fleet = await FleetFixture.StartAsync(Limit);

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    [Fact]
    public async Task Three_instances_draining_one_backlog_never_exceed_the_accounts_limit()
    {
        await _fleet.EnqueueAsync(Backlog(35));
        await using var a = await StartHostAsync();
        await using var b = await StartHostAsync();
        await using var c = await StartHostAsync();

        var requests = await DrainAsync(35, maxSteps: 4);

        Assert.DoesNotContain(requests, r => r.StatusCode == 429);
        Assert.True(RateLimitTests.MaxInAnyWindow(requests, TimeSpan.FromSeconds(60)) <= Limit, "more than 10 calls in one minute");
        Assert.Equal(35, (await _fleet.Simulator.Inspector.GetContactsAsync()).Count(contact => contact.Attributes.ContainsKey("n")));
        var storageRequests = new[] { a, b, c }.Sum(host => host.App.Services.GetRequiredService<FleetLedgerStore>().RoundTrips);
        output.WriteLine($"{storageRequests} ledger requests for {requests.Count} Libromi calls");
    }

    [Fact]
    public async Task A_host_that_dies_mid_drain_loses_nothing_and_its_share_of_the_limit_comes_back()
    {
        await _fleet.EnqueueAsync(Backlog(35));
        await using var a = await StartHostAsync();
        await using var c = await StartHostAsync();
        var doomed = await StartHostAsync();

        var first = await _fleet.WaitForQuietAsync();
        Assert.Equal(Limit, FleetFixture.Delivered(first));
        // No graceful drain: the host does not wait for its listener, so messages it was running stay invisible until their hold ends.
        await doomed.App.StopAsync(new CancellationToken(canceled: true));
        await doomed.DisposeAsync();

        _fleet.Clock.Advance(Step);
        var requests = await DrainAsync(35, maxSteps: 4);

        Assert.DoesNotContain(requests, r => r.StatusCode == 429);
        Assert.True(RateLimitTests.MaxInAnyWindow(requests, TimeSpan.FromSeconds(60)) <= Limit, "more than 10 calls in one minute");
        Assert.Equal(35, (await _fleet.Simulator.Inspector.GetContactsAsync()).Count(contact => contact.Attributes.ContainsKey("n")));
    }

    [Fact]
    public async Task A_realtime_operation_overtakes_a_bulk_backlog()
    {
        await _fleet.EnqueueAsync(Backlog(40, Lane.Bulk));
        await using var a = await StartHostAsync();
        await using var b = await StartHostAsync();
        var bulkOnly = FleetFixture.Delivered(await _fleet.WaitForQuietAsync());
        Assert.Equal(Limit - 1, bulkOnly);

        // The clock does not move: the permit bulk leaves to realtime is there at once.
        var response = await a.PostJsonAsync("/api/contacts", """{"phone_number": "+4477009900001", "attributes": {"live": true}}""");
        response.EnsureSuccessStatusCode();
        var requests = await Eventually.WaitForAsync(() => _fleet.Simulator.Inspector.GetRequestsAsync(), r => r.Any(x => x.Path.Contains("4477009900001", StringComparison.Ordinal)), "the realtime call");

        Assert.Equal(Limit, FleetFixture.Delivered(requests));
        Assert.Equal(200, requests.Single(x => x.Path.Contains("4477009900001", StringComparison.Ordinal)).StatusCode);
        Assert.True(await _fleet.Azurite.CreateQueueServiceClient().GetQueueClient(QueueNames.Bulk).GetPropertiesAsync() is { Value.ApproximateMessagesCount: > 0 }, "the bulk backlog was still waiting");
    }

    private Task<GatewayHost> StartHostAsync() =>
        _fleet.StartHostAsync(new Dictionary<string, string?> { ["Libromi:RequestsPerMinute"] = Limit.ToString() });

    private async Task<IReadOnlyList<RecordedRequest>> DrainAsync(int total, int maxSteps)
    {
        var requests = await _fleet.WaitForQuietAsync();
        for (var step = 0; FleetFixture.Delivered(requests) < total; step++)
        {
            Assert.True(step < maxSteps, $"{FleetFixture.Delivered(requests)} of {total} delivered after {step} minutes");
            _fleet.Clock.Advance(Step);
            requests = await _fleet.WaitForQuietAsync();
        }
        return requests;
    }

    private static IEnumerable<OperationEnvelope> Backlog(int count, Lane lane = Lane.Realtime) =>
        Enumerable.Range(0, count).Select(i => FleetFixture.Update($"4477009{(lane == Lane.Bulk ? 5 : 1)}{i:00000}", new JsonObject { ["n"] = i }, lane));
}
