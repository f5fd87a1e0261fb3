using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Hooks;
using Libromi.Gateway.EndToEnd.Pipeline;

namespace Libromi.Gateway.EndToEnd.Scenarios;

/// <summary>
/// The shipped HubSpot deal-stage preset, live: a won deal's webhook becomes one POST of the flat body the scenario
/// learned, a redelivery of the same event none, and a lost deal nothing.
/// </summary>
public sealed class ScenarioWebhookTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private const string Token = "hs-workflow-token-5d2e";
    private readonly string _hookId = "hook-" + Guid.NewGuid().ToString("N");

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<GatewayHost> StartAsync() => GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?>
    {
        ["Gateway:IntegrationsFile"] = Path.Combine(RepositoryRoot.Path, "docs", "integrations", "presets", "hubspot-deal-stage-scenario.json"),
        ["Gateway:Secrets:hubspot-workflow-token"] = Token,
        ["Scenarios:Definitions:order_confirmation:Secret"] = "scenario-order-confirmation",
        ["Gateway:Secrets:scenario-order-confirmation"] = new Uri(new Uri(fixture.Simulator.BaseUrl), "/scenarios/" + _hookId).AbsoluteUri,
    });

    [Fact]
    public async Task Won_deal_posts_the_mapped_flat_body_once_even_when_HubSpot_redelivers_the_event()
    {
        await using var gateway = await StartAsync();
        var eventId = $"deal-{Guid.NewGuid():N}";
        var won = $$"""{"deal_stage_event_id":"{{eventId}}","deal_id":"9041","dealname":"Kit order","dealstage":"closedwon","amount":"1250.00","contact_firstname":"Asha","contact_phone":"+91 98765 43210"}""";

        var first = await Senders.PostAsync(gateway.BaseAddress, "hubspot-deals", won, "application/json", ("X-Gateway-Token", Token));
        var again = await Senders.PostAsync(gateway.BaseAddress, "hubspot-deals", won, "application/json", ("X-Gateway-Token", Token));
        var lost = await Senders.PostAsync(gateway.BaseAddress, "hubspot-deals", won.Replace("closedwon", "closedlost", StringComparison.Ordinal).Replace(eventId, eventId + "-lost", StringComparison.Ordinal),
            "application/json", ("X-Gateway-Token", Token));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(JsonNode.Parse(await again.Content.ReadAsStringAsync())!["duplicate"]!.GetValue<bool>());
        Assert.True(lost.IsSuccessStatusCode, await lost.Content.ReadAsStringAsync());
        var state = await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetScenarioAsync(_hookId), s => s.Posts.Count >= 1 && s.Posts[0].Status == 200,
            "the scenario POST", describe: s => JsonSerializer.Serialize(s));
        var expected = JsonNode.Parse("""{"name": "Asha", "order_id": "9041", "amount": "1250.00", "source": "hubspot", "phone_number": "919876543210"}""");
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(state.Posts[0].Body.GetRawText())), state.Posts[0].Body.GetRawText());
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single((await fixture.Simulator.Inspector.GetScenarioAsync(_hookId)).Posts);
    }
}
