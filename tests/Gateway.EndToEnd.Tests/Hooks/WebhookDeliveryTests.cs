using System.Net;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Simulator.Inspection;

namespace Libromi.Gateway.EndToEnd.Hooks;

/// <summary>A delivery signed as its sender signs it travels to Libromi, for every verification scheme.</summary>
public sealed class WebhookDeliveryTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        _gateway = await HookGateway.StartAsync(fixture);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Standard_webhooks_delivery_maps_matching_events_and_ignores_the_rest()
    {
        var phone = NewPhone();
        var body = $$$$"""{"events":[{"type":"customer.created","data":{"phone":"0{{{{phone[3..]}}}}","first_name":"Ana","address":{"city":"Leeds"}}},{"type":"order.paid","data":{"id":5}}]}""";

        var response = await Senders.PostAsync(_gateway.BaseAddress, "shop", body, "application/json",
            Senders.StandardWebhooks(HookGateway.ShopSecret, $"msg_{Guid.NewGuid():N}", DateTimeOffset.UtcNow, body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Single(answer["operation_ids"]!.AsArray());
        Assert.Equal(1, answer["ignored"]!.GetValue<int>());
        Assert.Equal(0, answer["duplicates"]!.GetValue<int>());
        var request = Assert.Single(await WaitForRequestsAsync(1));
        Assert.Equal("PUT", request.Method);
        Assert.EndsWith($"/contact/{phone[1..]}/attributes", request.Path, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"first_name":"Ana","city":"Leeds","source":"shop"}"""), JsonNode.Parse(request.Body)));
    }

    [Fact]
    public async Task Hmac_hex_delivery_with_prefix_signed_like_GitHub_is_accepted()
    {
        var phone = NewPhone();
        var body = $$"""{"phone":"{{phone}}","login":"octocat"}""";

        var response = await Senders.PostAsync(_gateway.BaseAddress, "github", body, "application/json",
            ("X-Hub-Signature-256", Senders.GitHubSignature(HookGateway.GitHubSecret, body)), ("X-GitHub-Delivery", Guid.NewGuid().ToString()));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var request = Assert.Single(await WaitForRequestsAsync(1));
        Assert.EndsWith($"/contact/{phone[1..]}/attributes", request.Path, StringComparison.Ordinal);
        Assert.Equal("""{"github_login":"octocat"}""", JsonNode.Parse(request.Body)!.ToJsonString());
    }

    [Fact]
    public async Task Hmac_base64_delivery_signed_like_Shopify_is_accepted()
    {
        var phone = NewPhone();
        var body = $$"""{"phone":"{{phone}}","first_name":"Bea"}""";

        var response = await Senders.PostAsync(_gateway.BaseAddress, "shopify", body, "application/json; charset=utf-8",
            ("X-Shopify-Hmac-Sha256", Senders.ShopifySignature(HookGateway.ShopifySecret, body)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var request = Assert.Single(await WaitForRequestsAsync(1));
        Assert.Equal("""{"first_name":"Bea"}""", JsonNode.Parse(request.Body)!.ToJsonString());
    }

    [Fact]
    public async Task HubSpot_batch_maps_each_phone_change_and_ignores_other_events()
    {
        var (first, second) = (NewPhone(), NewPhone());
        var eventId = Random.Shared.NextInt64(1_000_000, 9_000_000);
        var body = $$"""[{"eventId":{{eventId}},"objectId":511,"subscriptionType":"contact.propertyChange","propertyName":"phone","propertyValue":"{{first}}"},{"eventId":{{eventId + 1}},"objectId":512,"subscriptionType":"contact.propertyChange","propertyName":"firstname","propertyValue":"Ana"},{"eventId":{{eventId + 2}},"objectId":513,"subscriptionType":"contact.propertyChange","propertyName":"mobilephone","propertyValue":"{{second}}"}]""";
        var uri = new Uri(_gateway.BaseAddress, "/api/hooks/hubspot");

        var response = await Senders.PostAsync(_gateway.BaseAddress, "hubspot", body, "application/json",
            Senders.HubSpot(HookGateway.HubSpotSecret, uri, DateTimeOffset.UtcNow, body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(2, answer["operation_ids"]!.AsArray().Count);
        Assert.Equal(1, answer["ignored"]!.GetValue<int>());
        var requests = await WaitForRequestsAsync(2);
        Assert.Contains(requests, r => r.Path.EndsWith($"/contact/{first[1..]}/attributes", StringComparison.Ordinal) && r.Body.Contains("511", StringComparison.Ordinal));
        Assert.Contains(requests, r => r.Path.EndsWith($"/contact/{second[1..]}/attributes", StringComparison.Ordinal) && r.Body.Contains("513", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Basic_credentials_delivery_like_Pipedrive_maps_nested_paths_and_omits_missing_ones()
    {
        var phone = NewPhone();
        // No emails: the email attribute is omitted, not sent as null.
        var body = $$$"""{"meta":{"id":"{{{Guid.NewGuid()}}}","action":"change","entity":"person"},"data":{"id":42,"name":"Cy","phones":[{"value":"{{{phone}}}","primary":true}]}}""";

        var response = await Senders.PostAsync(_gateway.BaseAddress, "pipedrive", body, "application/json",
            Senders.Basic("pipedrive", HookGateway.PipedrivePassword));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var request = Assert.Single(await WaitForRequestsAsync(1));
        Assert.Equal("""{"name":"Cy"}""", JsonNode.Parse(request.Body)!.ToJsonString());
    }

    [Fact]
    public async Task Header_token_form_post_like_Zapier_upserts_then_assigns_in_order()
    {
        var phone = NewPhone();
        var body = $"phone={Uri.EscapeDataString(phone)}&name=Dee&owner_email={Uri.EscapeDataString(SimulatorFixture.StaffEmail)}";

        var response = await Senders.PostAsync(_gateway.BaseAddress, "zapier", body, "application/x-www-form-urlencoded",
            ("X-Api-Key", HookGateway.ZapierToken), ("X-Request-Id", Guid.NewGuid().ToString()));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Single(answer["operation_ids"]!.AsArray());
        var requests = await WaitForRequestsAsync(2);
        Assert.EndsWith($"/contact/{phone[1..]}/attributes", requests[0].Path, StringComparison.Ordinal);
        Assert.Equal("""{"name":"Dee","source":"zapier"}""", JsonNode.Parse(requests[0].Body)!.ToJsonString());
        Assert.EndsWith("/conversation/assign-staff", requests[1].Path, StringComparison.Ordinal);
        Assert.Equal(SimulatorFixture.StaffEmail, JsonNode.Parse(requests[1].Body)!["username"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delivery_whose_items_all_match_no_operation_is_accepted_with_nothing_enqueued()
    {
        var body = """{"events":[{"type":"order.paid","data":{"id":7}}]}""";

        var response = await Senders.PostAsync(_gateway.BaseAddress, "shop", body, "application/json",
            Senders.StandardWebhooks(HookGateway.ShopSecret, $"msg_{Guid.NewGuid():N}", DateTimeOffset.UtcNow, body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Empty(answer["operation_ids"]!.AsArray());
        Assert.Equal(1, answer["ignored"]!.GetValue<int>());
        Assert.Equal(0, _gateway.OperationsAccepted());
    }

    internal static string NewPhone() => $"+44770090{Random.Shared.Next(1000, 9999)}";

    private Task<IReadOnlyList<RecordedRequest>> WaitForRequestsAsync(int count) =>
        Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetRequestsAsync(), r => r.Count >= count, $"{count} request(s) at the simulator");
}
