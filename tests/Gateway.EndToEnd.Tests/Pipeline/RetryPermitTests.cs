using System.Net;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Simulator.Faults;

namespace Libromi.Gateway.EndToEnd.Pipeline;

/// <summary>In-process retries are requests too: each takes a permit, so failures cannot push the gateway over the limit.</summary>
public sealed class RetryPermitTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Retries_of_a_failing_call_take_their_own_permits_and_never_exceed_the_limit()
    {
        await fixture.ResetAsync();
        await fixture.Simulator.Inspector.SetFaultsAsync(new FaultSettings { ServerErrorRate = 1.0 });
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?>
        {
            // Two calls a minute; the client would try three times (one attempt and two retries) without permits.
            ["Libromi:RequestsPerMinute"] = "2",
            ["Processing:BackoffBase"] = "00:00:30",
        });

        var response = await gateway.PostJsonAsync("/api/contacts", """{"phone_number": "+447700900901", "attributes": {"city": "Ely"}}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetRequestsAsync(), r => r.Count >= 2, "two attempts");
        // Longer than the client's total timeout (5 s in tests): a third attempt would have been sent by now.
        await Task.Delay(TimeSpan.FromSeconds(7));

        Assert.Equal(2, (await fixture.Simulator.Inspector.GetRequestsAsync()).Count);
        Assert.Empty(await gateway.PeekDeadLettersAsync());
    }
}
