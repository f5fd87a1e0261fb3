using System.Net;
using Libromi.Gateway.EndToEnd.Fixtures;

namespace Libromi.Gateway.EndToEnd.Pipeline;

/// <summary>Ingest never acknowledges what was not stored.</summary>
public sealed class StorageOutageTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Storage_down_answers_503_with_retry_after_and_never_202_then_recovers()
    {
        await fixture.ResetAsync();
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        await fixture.Azurite.StopAsync();
        try
        {
            var response = await gateway.PostJsonAsync("/api/contacts", """{"phone_number": "+447700900777", "attributes": {"city": "Bath"}}""");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(response.Headers.RetryAfter);
            var health = await gateway.Client.GetAsync("/api/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        }
        finally
        {
            await fixture.Azurite.StartAsync();
        }

        // Storage is back: the same delivery is accepted and processed, and nothing from the outage was stored.
        var retried = await gateway.PostJsonAsync("/api/contacts", """{"phone_number": "+447700900777", "attributes": {"city": "Bath"}}""");
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactAsync("447700900777"), c => c?.Attributes.ContainsKey("city") == true, "the contact after recovery");
        Assert.Single(await fixture.Simulator.Inspector.GetRequestsAsync());
    }
}
