using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Hooks;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.EndToEnd.Trail;
using Libromi.Gateway.Trail;

namespace Libromi.Gateway.EndToEnd.Operations;

/// <summary><c>GET /api/integrations/figures</c> after real webhook traffic through a real host, Azurite and the simulator.</summary>
public sealed class IntegrationFiguresTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Figures_count_received_refused_by_reason_delivered_and_dead_lettered_with_the_last_error()
    {
        await using var gateway = await HookGateway.StartAsync(fixture, new() { ["Figures:FlushInterval"] = "00:00:01" });
        var traffic = await ZapierTraffic.SendAsync(gateway);
        var deadLettered = await gateway.WaitForStateAsync(traffic.RejectedOperationId, OperationStates.DeadLettered);
        await gateway.WaitForStateAsync(traffic.DeliveredOperationId, OperationStates.Delivered);

        var zapier = await Eventually.WaitForAsync(async () => ZapierOf(await GetFiguresAsync(gateway)),
            z => z["delivered"]!.GetValue<long>() == 1 && z["dead_lettered"]!.GetValue<long>() == 1, "the outcomes flushed into the figures");

        Assert.Equal(5, zapier["received"]!.GetValue<long>());
        Assert.Equal(3, zapier["refused_total"]!.GetValue<long>());
        Assert.Equal(new Dictionary<string, long> { ["duplicate"] = 1, ["malformed"] = 1, ["unverified"] = 1 },
            zapier["refused"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<long>()));
        Assert.Equal("dead-lettered rejected (HTTP 422)", zapier["last_error"]!["reason"]!.GetValue<string>());
        Assert.True(zapier["last_error"]!["at"]!.GetValue<DateTimeOffset>() >= deadLettered!["received_at"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Every_configured_integration_is_listed_and_one_without_traffic_shows_zeros()
    {
        await using var gateway = await HookGateway.StartAsync(fixture, new() { ["Figures:FlushInterval"] = "00:00:01" });

        var figures = await GetFiguresAsync(gateway);

        var names = figures["integrations"]!.AsArray().Select(i => i!["integration"]!.GetValue<string>()).ToList();
        Assert.Equal(["github", "hubspot", "pipedrive", "shop", "shopify", "unconfigured", "zapier"], names);
        var github = figures["integrations"]!.AsArray().Single(i => i!["integration"]!.GetValue<string>() == "github")!;
        Assert.Equal((0L, 0L, 0L), (github["received"]!.GetValue<long>(), github["delivered"]!.GetValue<long>(), github["dead_lettered"]!.GetValue<long>()));
        Assert.Null(github["last_error"]);
        Assert.Equal(1, figures["flush_interval_seconds"]!.GetValue<double>());
    }

    [Fact]
    public async Task Figures_need_a_key_and_never_show_a_secret_or_a_body()
    {
        await using var gateway = await HookGateway.StartAsync(fixture, new() { ["Figures:FlushInterval"] = "00:00:01" });
        using var anonymous = new HttpClient { BaseAddress = gateway.BaseAddress };
        await ZapierTraffic.SendAsync(gateway);

        var text = await Eventually.WaitForAsync(() => gateway.Client.GetStringAsync("/api/integrations/figures"),
            t => t.Contains("\"unverified\":1", StringComparison.Ordinal), "the refused delivery counted");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/integrations/figures")).StatusCode);
        Assert.All(HookGateway.AllSecrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
        Assert.DoesNotContain("wrong-token", text, StringComparison.Ordinal);
        Assert.DoesNotContain("not-an-email", text, StringComparison.Ordinal);
    }

    private static JsonObject ZapierOf(JsonObject figures) =>
        figures["integrations"]!.AsArray().Single(i => i!["integration"]!.GetValue<string>() == "zapier")!.AsObject();

    private static async Task<JsonObject> GetFiguresAsync(GatewayHost gateway) =>
        (await gateway.Client.GetFromJsonAsync<JsonObject>("/api/integrations/figures"))!;
}

/// <summary>
/// Known webhook traffic for zapier: a delivery that is delivered, its duplicate, one with the wrong token, one of an
/// unsupported media type, and one Libromi refuses (an invalid email: the simulator answers 422, so it is dead-lettered).
/// </summary>
internal sealed record ZapierTraffic(string DeliveredOperationId, string RejectedOperationId, string RejectedPhone, string RefusedDeliveryId)
{
    public static async Task<ZapierTraffic> SendAsync(GatewayHost gateway, string name = "Ida")
    {
        var phone = WebhookDeliveryTests.NewPhone();
        var good = $"phone={Uri.EscapeDataString(phone)}&name={Uri.EscapeDataString(name)}";
        var requestId = Guid.NewGuid().ToString();
        var delivered = await PostAsync(gateway, good, "application/x-www-form-urlencoded", HookGateway.ZapierToken, requestId, HttpStatusCode.Accepted);
        await PostAsync(gateway, good, "application/x-www-form-urlencoded", HookGateway.ZapierToken, requestId, HttpStatusCode.OK);
        var refused = await PostAsync(gateway, good, "application/x-www-form-urlencoded", "wrong-token", Guid.NewGuid().ToString(), HttpStatusCode.Unauthorized);
        await PostAsync(gateway, "hello", "text/plain", HookGateway.ZapierToken, Guid.NewGuid().ToString(), HttpStatusCode.UnsupportedMediaType);
        // Last, so its dead letter is the latest error whatever the drain's timing.
        var rejectedPhone = WebhookDeliveryTests.NewPhone();
        var bad = $"phone={Uri.EscapeDataString(rejectedPhone)}&name=Bad&email=not-an-email";
        var rejected = await PostAsync(gateway, bad, "application/x-www-form-urlencoded", HookGateway.ZapierToken, Guid.NewGuid().ToString(), HttpStatusCode.Accepted);
        return new ZapierTraffic(
            (await delivered.Content.ReadFromJsonAsync<JsonObject>())!["operation_ids"]![0]!.GetValue<string>(),
            (await rejected.Content.ReadFromJsonAsync<JsonObject>())!["operation_ids"]![0]!.GetValue<string>(),
            rejectedPhone,
            refused.Headers.GetValues(Webhooks.WebhooksApi.DeliveryIdHeader).Single());
    }

    private static async Task<HttpResponseMessage> PostAsync(GatewayHost gateway, string body, string contentType, string token, string requestId, HttpStatusCode expected)
    {
        var response = await Senders.PostAsync(gateway.BaseAddress, "zapier", body, contentType, ("X-Api-Key", token), ("X-Request-Id", requestId));
        Assert.True(response.StatusCode == expected, $"zapier answered {(int)response.StatusCode}, expected {(int)expected}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }
}
