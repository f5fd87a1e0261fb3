using System.Net;
using Libromi.Gateway.EndToEnd.Fixtures;
using Microsoft.Extensions.Time.Testing;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.RateLimiting;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.EndToEnd.Pipeline;

/// <summary>
/// The call sent again after Libromi refused a token the store has since replaced is a request like any other: it
/// takes its own permit. The gateway and the simulator share a fake clock, so the next minute comes when the test
/// says so; the class has its own Azurite, so the fleet's ledger never holds another class's fake-time permits.
/// </summary>
public sealed class TokenRefreshRetryPermitTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly AzuriteFixture _azurite = new();

    public Task InitializeAsync() => _azurite.InitializeAsync();

    public Task DisposeAsync() => _azurite.DisposeAsync();

    [Fact]
    public async Task Retry_with_a_replaced_token_takes_its_own_permit_and_waits_in_the_queue_for_the_next_window()
    {
        await using var simulator = await SimulatorFixture.StartAsync(timeProvider: _clock);
        await using var gateway = await GatewayHost.StartAsync(_azurite, simulator, new Dictionary<string, string?>
        {
            // One call a minute: the first attempt spends it, so the retry with the new token has to wait.
            ["Libromi:RequestsPerMinute"] = "1",
            ["Libromi:ApiToken"] = "token-rotated-away-" + Guid.NewGuid().ToString("N"),
            ["Processing:MaxPermitWait"] = "00:00:01",
        }, services => services.AddKeyedSingleton<TimeProvider>(GatewayClock.Key, _clock));
        // The gateway has loaded its token; then the token is rotated in the store (configuration is read at call time).
        await gateway.App.Services.GetRequiredService<ILibromiTokenProvider>().GetTokenAsync();
        gateway.App.Configuration["Libromi:ApiToken"] = SimulatorFixture.AdminToken;

        var response = await gateway.PostJsonAsync("/api/contacts", """{"phone_number": "+447700900902", "attributes": {"city": "Ely"}}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // Wait until the retry is waiting for its permit (or, were it sent without one, has reached the simulator).
        await Eventually.WaitForAsync(
            async () => (Waiting: gateway.Logs.GetSnapshot().Any(r => r.Id.Name == "RetryingWithReplacedToken"), Sent: (await simulator.Inspector.GetRequestsAsync()).Count),
            state => state.Waiting || state.Sent >= 2, "the retry with the new token");
        // The retry's permit wait (1 s on the gateway's clock) ends without a permit: the operation goes back to its queue.
        _clock.Advance(TimeSpan.FromSeconds(2));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var withinTheMinute = await simulator.Inspector.GetRequestsAsync();
        Assert.Equal(401, Assert.Single(withinTheMinute).StatusCode);
        Assert.Empty(await gateway.PeekDeadLettersAsync());
        Assert.False(gateway.App.Services.GetRequiredService<SendingState>().Circuit.IsOpen);

        _clock.Advance(RateLimitTests.OneWindow);
        var requests = await Eventually.WaitForAsync(() => simulator.Inspector.GetRequestsAsync(), r => r.Any(x => x.StatusCode == 200), "delivery in the next window");

        Assert.Equal(2, requests.Count);
        Assert.Equal(SimulatorFixture.AdminToken, requests[1].BearerToken);
        Assert.Equal(1, RateLimitTests.MaxInAnyWindow(requests, TimeSpan.FromSeconds(60)));
        Assert.Equal("Ely", (await simulator.Inspector.GetContactAsync("447700900902"))!.Attributes["city"].GetString());
        Assert.Empty(await gateway.PeekDeadLettersAsync());
    }
}
