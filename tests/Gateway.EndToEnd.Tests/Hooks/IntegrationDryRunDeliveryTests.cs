using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Operations;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Webhooks;

namespace Libromi.Gateway.EndToEnd.Hooks;

/// <summary>
/// <c>POST /api/integrations/{name}/test</c> with a <c>delivery_id</c>: a delivery kept in the delivery log run again
/// through the live definition or a fixed draft, read through the trail's own read, with nothing queued.
/// </summary>
public sealed class IntegrationDryRunDeliveryTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    // The live "shop" definition reads the city at data.address.city; this sender puts it at data.city.
    private const string FixedShop = """
        { "verify": { "scheme": "standard-webhooks", "secret": "shop-secret" },
          "items": "events",
          "default_country_code": "44",
          "operations": [
            { "when": { "path": "type", "in": ["customer.created", "customer.updated"] },
              "upsert_contact": { "phone_number": "data.phone",
                                  "attributes": { "first_name": "data.first_name", "city": "data.city", "source": { "value": "shop" } } } } ] }
        """;

    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        _gateway = await HookGateway.StartAsync(fixture);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_logged_delivery_run_against_a_fixed_draft_shows_the_attribute_the_live_mapping_left_out()
    {
        var phone = WebhookDeliveryTests.NewPhone();
        var body = $$$"""{"events":[{"type":"customer.created","data":{"phone":"{{{phone}}}","first_name":"Ana","city":"Leeds"}}]}""";
        using var delivery = await Senders.PostAsync(_gateway.BaseAddress, "shop", body, "application/json",
            Senders.StandardWebhooks(HookGateway.ShopSecret, $"msg_{Guid.NewGuid():N}", DateTimeOffset.UtcNow, body));
        Assert.Equal(HttpStatusCode.Accepted, delivery.StatusCode);
        var deliveryId = delivery.Headers.GetValues(WebhooksApi.DeliveryIdHeader).Single();
        await WaitForLoggedAsync(deliveryId);
        var queued = _gateway.OperationsAccepted();

        var (liveStatus, live) = await TestAsync("shop", $$"""{ "delivery_id": "{{deliveryId}}" }""");
        var (fixedStatus, fixedReport) = await TestAsync("shop", $$"""{ "delivery_id": "{{deliveryId}}", "definition": {{FixedShop}} }""");

        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal("live", Text(live, "definition"));
        Assert.Contains(live["unresolved_paths"]!.AsArray(), p => Text(p!, "field") == "attributes.city");
        Assert.Equal("""{"first_name":"Ana","source":"shop"}""", Attributes(live));

        Assert.Equal(HttpStatusCode.OK, fixedStatus);
        Assert.Equal("draft", Text(fixedReport, "definition"));
        Assert.Equal("accepted", Text(fixedReport, "outcome"));
        Assert.Empty(fixedReport["unresolved_paths"]!.AsArray());
        Assert.Equal("""{"first_name":"Ana","city":"Leeds","source":"shop"}""", Attributes(fixedReport));
        var city = fixedReport["items"]![0]!["operations"]![0]!["values"]!.AsArray().Single(v => Text(v!, "field") == "attributes.city")!;
        Assert.True(city["resolved"]!.GetValue<bool>());
        // No headers were kept: verification is skipped and the report says why.
        Assert.Equal("skipped", Text(fixedReport["verification"]!, "verdict"));
        Assert.Equal("headers_not_logged", Text(fixedReport["verification"]!, "reason"));
        var logged = fixedReport["delivery"]!;
        Assert.Equal(deliveryId, Text(logged, "delivery_id"));
        Assert.Equal("shop", Text(logged, "integration"));
        Assert.Equal("accepted", Text(logged, "outcome"));
        Assert.False(logged["body_truncated"]!.GetValue<bool>());
        Assert.Contains("no headers", Text(logged, "note"), StringComparison.Ordinal);
        // The dry runs queued nothing.
        Assert.Equal(queued, _gateway.OperationsAccepted());
    }

    [Fact]
    public async Task A_delivery_logged_for_another_integration_can_be_tested_and_the_report_names_it()
    {
        var phone = WebhookDeliveryTests.NewPhone();
        var body = $$"""{"phone":"{{phone}}","name":"Ana"}""";
        using var delivery = await Senders.PostAsync(_gateway.BaseAddress, "zapier", body, "application/json",
            ("X-Api-Key", HookGateway.ZapierToken), ("X-Request-Id", Guid.NewGuid().ToString()));
        var deliveryId = delivery.Headers.GetValues(WebhooksApi.DeliveryIdHeader).Single();
        await WaitForLoggedAsync(deliveryId);

        var (status, report) = await TestAsync("crm", $$"""
            { "delivery_id": "{{deliveryId}}",
              "definition": { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "zapier-token" },
                              "operations": [ { "upsert_contact": { "phone_number": "phone", "attributes": { "full_name": "name" } } } ] } }
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("crm", Text(report, "integration"));
        Assert.Equal("zapier", Text(report["delivery"]!, "integration"));
        Assert.Contains("\"zapier\"", Text(report["delivery"]!, "note"), StringComparison.Ordinal);
        Assert.Equal("application/json", Text(report["delivery"]!, "content_type"));
        Assert.Equal("""{"full_name":"Ana"}""", Attributes(report));
        Assert.DoesNotContain(HookGateway.ZapierToken, report.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_the_log_cut_to_its_size_cap_is_reported_as_cut_and_not_mapped()
    {
        await using var gateway = await HookGateway.StartAsync(fixture, new Dictionary<string, string?> { ["Trail:MaxBodyBytes"] = "32" });
        var body = $$"""{"phone":"{{WebhookDeliveryTests.NewPhone()}}","name":"{{new string('a', 100)}}"}""";
        using var delivery = await Senders.PostAsync(gateway.BaseAddress, "zapier", body, "application/json",
            ("X-Api-Key", HookGateway.ZapierToken), ("X-Request-Id", Guid.NewGuid().ToString()));
        var deliveryId = delivery.Headers.GetValues(WebhooksApi.DeliveryIdHeader).Single();
        await WaitForLoggedAsync(gateway, deliveryId);

        var (status, report) = await TestAsync(gateway, "zapier", $$"""{ "delivery_id": "{{deliveryId}}" }""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("body_truncated", Text(report, "outcome"));
        Assert.Empty(report["items"]!.AsArray());
        var logged = report["delivery"]!;
        Assert.True(logged["body_truncated"]!.GetValue<bool>());
        Assert.Equal(body.Length, logged["body_bytes"]!.GetValue<int>());
        Assert.Equal(32, logged["body_bytes_kept"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_unknown_delivery_is_a_404_problem()
    {
        using var admin = AdminClient.For(_gateway);
        using var response = await admin.PostAsync("/api/integrations/zapier/test", Json($$"""{ "delivery_id": "{{Guid.CreateVersion7():N}}" }"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("delivery log", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, _gateway.OperationsAccepted());
    }

    [Theory]
    [InlineData("""{ "sample": { "body": {} }, "delivery_id": "019ae4f2c1d07a3b8c9d0e1f2a3b4c5d" }""")]
    [InlineData("""{ "definition": { "operations": [] } }""")]
    [InlineData("""{ "delivery_id": "not-a-delivery" }""")]
    [InlineData("""{ "delivery_id": 5 }""")]
    public async Task A_sample_and_a_delivery_id_together_or_neither_or_a_malformed_id_is_a_400_naming_delivery_id(string body)
    {
        using var admin = AdminClient.For(_gateway);
        using var response = await admin.PostAsync("/api/integrations/zapier/test", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains("delivery_id", problem["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Reading_a_delivery_during_a_storage_outage_is_a_503_problem_with_retry_after()
    {
        await using var gateway = await HookGateway.StartAsync(fixture, new Dictionary<string, string?> { ["Gateway:StorageTimeout"] = "00:00:02" });
        await fixture.Azurite.StopAsync();
        try
        {
            using var admin = AdminClient.For(gateway);
            using var response = await admin.PostAsync("/api/integrations/zapier/test", Json($$"""{ "delivery_id": "{{Guid.CreateVersion7():N}}" }"""));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(response.Headers.RetryAfter);
        }
        finally
        {
            await fixture.Azurite.StartAsync();
        }
    }

    private Task WaitForLoggedAsync(string id) => WaitForLoggedAsync(_gateway, id);

    private static async Task WaitForLoggedAsync(GatewayHost gateway, string id) =>
        await Eventually.WaitForAsync(async () => (await gateway.Client.GetAsync($"/api/deliveries/{id}")).StatusCode,
            s => s == HttpStatusCode.OK, $"delivery {id} in the log");

    private Task<(HttpStatusCode Status, JsonNode Report)> TestAsync(string integration, string body) => TestAsync(_gateway, integration, body);

    private static async Task<(HttpStatusCode Status, JsonNode Report)> TestAsync(GatewayHost gateway, string integration, string body)
    {
        using var admin = AdminClient.For(gateway);
        using var response = await admin.PostAsync($"/api/integrations/{integration}/test", Json(body));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static string Attributes(JsonNode report) => report["items"]![0]!["contacts"]![0]!["steps"]![0]!["attributes"]!.ToJsonString();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static string? Text(JsonNode node, string property) => node[property]?.GetValue<string>();
}
