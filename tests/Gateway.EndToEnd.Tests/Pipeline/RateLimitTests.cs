using System.Net;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.Operations;
using Libromi.Simulator.Inspection;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.EndToEnd.Pipeline;

/// <summary>
/// The gateway and the simulator share one fake clock, so a minute passes when the test says so; the
/// queues and HTTP stay real.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    // The fleet's ledger counts a permit until its lease's expiry (2 s), rounded up to the second, has left the
    // 61-second window: 64 s frees every permit taken before the step (docs/rate-limits.md).
    internal static readonly TimeSpan OneWindow = TimeSpan.FromSeconds(64);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly AzuriteFixture _azurite = new();

    public Task InitializeAsync() => _azurite.InitializeAsync();

    public Task DisposeAsync() => _azurite.DisposeAsync();

    [Fact]
    public async Task Per_minute_limit_is_never_exceeded_while_draining_a_backlog()
    {
        await using var simulator = await SimulatorFixture.StartAsync(new Dictionary<string, string?> { ["Simulator:RequestsPerMinute"] = "10" }, _clock);
        await using var gateway = await StartGatewayAsync(simulator, requestsPerMinute: 10);
        for (var i = 0; i < 25; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await gateway.PostJsonAsync("/api/contacts", $$$"""{"phone_number": "+4477009003{{{i:00}}}", "attributes": {"n": {{{i}}}}}""")).StatusCode);
        }

        await WaitForDeliveredAsync(simulator, 10);
        await AssertNoMoreRequestsAsync(simulator, 10);

        _clock.Advance(OneWindow);
        await WaitForDeliveredAsync(simulator, 20);
        await AssertNoMoreRequestsAsync(simulator, 20);

        _clock.Advance(OneWindow);
        var requests = await WaitForDeliveredAsync(simulator, 25);

        Assert.DoesNotContain(requests, r => r.StatusCode == 429);
        Assert.True(MaxInAnyWindow(requests, TimeSpan.FromSeconds(60)) <= 10);
    }

    [Fact]
    public async Task Stricter_account_limit_pauses_all_sending_until_the_servers_retry_time()
    {
        // Another client shares the token: Libromi allows this gateway only 5 a minute though it is set to 10.
        await using var simulator = await SimulatorFixture.StartAsync(new Dictionary<string, string?> { ["Simulator:RequestsPerMinute"] = "5" }, _clock);
        await using var gateway = await StartGatewayAsync(simulator, requestsPerMinute: 10);
        for (var i = 0; i < 8; i++)
        {
            await gateway.PostJsonAsync("/api/contacts", $$$"""{"phone_number": "+4477009004{{{i:00}}}", "attributes": {"n": {{{i}}}}}""");
        }

        // Calls already on the wire when the first 429 came back may be refused too; after that, silence.
        await Eventually.WaitForAsync(() => simulator.Inspector.GetRequestsAsync(), r => r.Any(x => x.StatusCode == 429), "a 429");
        await Task.Delay(500);
        var atPause = await simulator.Inspector.GetRequestsAsync();
        await Task.Delay(1500);
        var duringPause = await simulator.Inspector.GetRequestsAsync();
        Assert.Equal(atPause.Count, duringPause.Count);
        Assert.Equal(5, duringPause.Count(r => r.StatusCode == 200));

        _clock.Advance(OneWindow);
        var requests = await WaitForDeliveredAsync(simulator, 8);

        Assert.Equal(duringPause.Count(r => r.StatusCode == 429), requests.Count(r => r.StatusCode == 429));
        Assert.Equal(8, (await simulator.Inspector.GetContactsAsync()).Count(c => c.Attributes.ContainsKey("n")));
    }

    private Task<GatewayHost> StartGatewayAsync(SimulatorFixture simulator, int requestsPerMinute) =>
        GatewayHost.StartAsync(_azurite, simulator,
            new Dictionary<string, string?>
            {
                ["Libromi:RequestsPerMinute"] = requestsPerMinute.ToString(),
                ["Processing:MaxPermitWait"] = "00:00:05",
            },
            services => services.AddKeyedSingleton<TimeProvider>(GatewayClock.Key, _clock));

    private static Task<IReadOnlyList<RecordedRequest>> WaitForDeliveredAsync(SimulatorFixture simulator, int count) =>
        Eventually.WaitForAsync(() => simulator.Inspector.GetRequestsAsync(), r => r.Count(x => x.StatusCode == 200) >= count, $"{count} delivered");

    private static async Task AssertNoMoreRequestsAsync(SimulatorFixture simulator, int expected)
    {
        await Task.Delay(1000);
        Assert.Equal(expected, (await simulator.Inspector.GetRequestsAsync()).Count);
    }

    internal static int MaxInAnyWindow(IReadOnlyList<RecordedRequest> requests, TimeSpan window)
    {
        var times = requests.Select(r => r.ReceivedAt).Order().ToArray();
        var max = 0;
        for (int start = 0, end = 0; end < times.Length; end++)
        {
            while (times[end] - times[start] >= window)
            {
                start++;
            }
            max = Math.Max(max, end - start + 1);
        }
        return max;
    }
}
