using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Hooks;
using Libromi.Gateway.EndToEnd.Operations;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Trail;

namespace Libromi.Gateway.EndToEnd.Trail;

/// <summary>The webhook delivery log: every delivery of a configured integration, accepted or refused, and never a credential.</summary>
public sealed class DeliveryLogTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        _gateway = await HookGateway.StartAsync(fixture);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Accepted_delivery_is_logged_with_the_operations_it_produced_and_they_point_back_to_it()
    {
        var body = $$$"""{"events":[{"type":"customer.created","data":{"phone":"{{{WebhookDeliveryTests.NewPhone()}}}","first_name":"Ana"}},{"type":"order.paid"}]}""";

        var response = await Senders.PostAsync(_gateway.BaseAddress, "shop", body, "application/json",
            Senders.StandardWebhooks(HookGateway.ShopSecret, $"msg_{Guid.NewGuid():N}", DateTimeOffset.UtcNow, body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var deliveryId = response.Headers.GetValues(WebhooksApi.DeliveryIdHeader).Single();
        var operationId = (await response.Content.ReadFromJsonAsync<JsonObject>())!["operation_ids"]![0]!.GetValue<string>();
        var delivery = await WaitForDeliveryAsync(deliveryId);
        Assert.Equal("shop", delivery["integration"]!.GetValue<string>());
        Assert.Equal(DeliveryOutcomes.Accepted, delivery["outcome"]!.GetValue<string>());
        Assert.Equal(202, delivery["status"]!.GetValue<int>());
        Assert.Equal("verified", delivery["verification"]!.GetValue<string>());
        Assert.False(delivery["duplicate"]!.GetValue<bool>());
        Assert.Equal(1, delivery["ignored"]!.GetValue<int>());
        Assert.Equal([operationId], delivery["operation_ids"]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Null(delivery["body"]);

        var operation = (await _gateway.WaitForStateAsync(operationId, OperationStates.Delivered))!;
        Assert.Equal("webhook", operation["source"]!["kind"]!.GetValue<string>());
        Assert.Equal("shop", operation["source"]!["integration"]!.GetValue<string>());
        Assert.Equal(deliveryId, operation["source"]!["delivery_id"]!.GetValue<string>());
        Assert.Equal([operationId], (await _gateway.SearchAsync($"/api/operations?delivery_id={deliveryId}")).Ids());
        Assert.Contains(operationId, (await _gateway.SearchAsync("/api/operations?integration=shop")).Ids());
    }

    [Fact]
    public async Task Delivery_refused_by_verification_is_logged_with_the_reason_class_and_no_operations()
    {
        var body = $$"""{"phone":"{{WebhookDeliveryTests.NewPhone()}}","login":"mallory"}""";

        var response = await Senders.PostAsync(_gateway.BaseAddress, "github", body, "application/json",
            ("X-Hub-Signature-256", Senders.GitHubSignature("not-the-secret", body)), ("X-GitHub-Delivery", Guid.NewGuid().ToString()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var delivery = await WaitForDeliveryAsync(response.Headers.GetValues(WebhooksApi.DeliveryIdHeader).Single());
        Assert.Equal(DeliveryOutcomes.Unverified, delivery["outcome"]!.GetValue<string>());
        Assert.Equal(401, delivery["status"]!.GetValue<int>());
        Assert.Equal("failed", delivery["verification"]!.GetValue<string>());
        Assert.Equal(problem["reason"]!.GetValue<string>(), delivery["verification_reason"]!.GetValue<string>());
        Assert.Empty(delivery["operation_ids"]!.AsArray());
        var refused = await _gateway.SearchAsync("/api/deliveries?integration=github&outcome=unverified");
        Assert.Contains(delivery["delivery_id"]!.GetValue<string>(), refused.Ids("delivery_id"));
    }

    [Fact]
    public async Task Repeated_delivery_is_logged_as_a_duplicate_that_produced_nothing()
    {
        var body = $"phone={Uri.EscapeDataString(WebhookDeliveryTests.NewPhone())}&name=Ida";
        (string, string)[] headers = [("X-Api-Key", HookGateway.ZapierToken), ("X-Request-Id", Guid.NewGuid().ToString())];
        Assert.Equal(HttpStatusCode.Accepted, (await Senders.PostAsync(_gateway.BaseAddress, "zapier", body, "application/x-www-form-urlencoded", headers)).StatusCode);

        var again = await Senders.PostAsync(_gateway.BaseAddress, "zapier", body, "application/x-www-form-urlencoded", headers);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var delivery = await WaitForDeliveryAsync(again.Headers.GetValues(WebhooksApi.DeliveryIdHeader).Single());
        Assert.True(delivery["duplicate"]!.GetValue<bool>());
        Assert.Equal(DeliveryOutcomes.Duplicate, delivery["outcome"]!.GetValue<string>());
        Assert.Equal(1, delivery["duplicates"]!.GetValue<int>());
        Assert.Empty(delivery["operation_ids"]!.AsArray());
        Assert.Contains(delivery["delivery_id"]!.GetValue<string>(), (await _gateway.SearchAsync("/api/deliveries?integration=zapier&duplicate=true")).Ids("delivery_id"));
    }

    [Fact]
    public async Task Body_is_shown_to_the_admin_key_only_and_no_signature_token_or_key_is_ever_stored()
    {
        var phone = WebhookDeliveryTests.NewPhone();
        var zapierBody = $"phone={Uri.EscapeDataString(phone)}&name=Ida";
        var zapier = await Senders.PostAsync(_gateway.BaseAddress, "zapier", zapierBody, "application/x-www-form-urlencoded",
            ("X-Api-Key", HookGateway.ZapierToken), ("X-Request-Id", Guid.NewGuid().ToString()));
        var githubBody = $$"""{"phone":"{{phone}}","login":"octocat"}""";
        var signature = Senders.GitHubSignature(HookGateway.GitHubSecret, githubBody);
        var github = await Senders.PostAsync(_gateway.BaseAddress, "github", githubBody, "application/json",
            ("X-Hub-Signature-256", signature), ("X-GitHub-Delivery", Guid.NewGuid().ToString()));
        var pipedriveBody = """{"meta":{"id":"x1"},"data":{"name":"Bo"}}""";
        var pipedrive = await Senders.PostAsync(_gateway.BaseAddress, "pipedrive", pipedriveBody, "application/json", Senders.Basic("pipedrive", "wrong-password"));
        Assert.Equal(HttpStatusCode.Accepted, zapier.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, github.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, pipedrive.StatusCode);
        var zapierId = zapier.Headers.GetValues(WebhooksApi.DeliveryIdHeader).Single();
        var operationId = (await zapier.Content.ReadFromJsonAsync<JsonObject>())!["operation_ids"]![0]!.GetValue<string>();
        await WaitForDeliveryAsync(pipedrive.Headers.GetValues(WebhooksApi.DeliveryIdHeader).Single());
        await _gateway.WaitForStateAsync(operationId, OperationStates.Delivered);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _gateway.Client.GetAsync($"/api/deliveries/{zapierId}/body")).StatusCode);
        using var admin = AdminClient.For(_gateway);
        var withBody = (await admin.GetFromJsonAsync<JsonObject>($"/api/deliveries/{zapierId}/body"))!;
        Assert.Equal(zapierBody, withBody["body"]!.GetValue<string>());
        Assert.Equal("application/x-www-form-urlencoded", withBody["content_type"]!.GetValue<string>());

        string[] secrets = [.. HookGateway.AllSecrets, signature, Senders.Basic("pipedrive", "wrong-password").Value, "wrong-password", SimulatorFixture.AdminToken, GatewayHost.ApiKey, GatewayHost.AdminKey];
        var stored = await TrailStorage.AllValuesAsync(fixture.Azurite);
        Assert.Contains(stored, value => value.Contains("octocat", StringComparison.Ordinal));
        Assert.DoesNotContain(stored, value => secrets.Any(secret => value.Contains(secret, StringComparison.Ordinal)));
        var shown = await _gateway.Client.GetStringAsync($"/api/operations/{operationId}") + await _gateway.Client.GetStringAsync("/api/deliveries?limit=200");
        Assert.DoesNotContain(secrets, secret => shown.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Long_body_is_kept_cut_to_the_configured_size_and_marked()
    {
        await using var gateway = await HookGateway.StartAsync(fixture, new Dictionary<string, string?> { ["Trail:MaxBodyBytes"] = "64" });
        var body = $$"""{"phone":"{{WebhookDeliveryTests.NewPhone()}}","login":"{{new string('o', 200)}}"}""";

        var response = await Senders.PostAsync(gateway.BaseAddress, "github", body, "application/json",
            ("X-Hub-Signature-256", Senders.GitHubSignature(HookGateway.GitHubSecret, body)), ("X-GitHub-Delivery", Guid.NewGuid().ToString()));

        using var admin = AdminClient.For(gateway);
        var id = response.Headers.GetValues(WebhooksApi.DeliveryIdHeader).Single();
        var delivery = (await Eventually.WaitForAsync(async () =>
        {
            var answer = await admin.GetAsync($"/api/deliveries/{id}/body");
            return answer.IsSuccessStatusCode ? await answer.Content.ReadFromJsonAsync<JsonObject>() : null;
        }, d => d is not null, "the delivery to be logged"))!;
        Assert.True(delivery["body_truncated"]!.GetValue<bool>());
        Assert.Equal(body.Length, delivery["body_bytes"]!.GetValue<int>());
        Assert.Equal(body[..64], delivery["body"]!.GetValue<string>());
    }

    private async Task<JsonObject> WaitForDeliveryAsync(string id) =>
        (await Eventually.WaitForAsync(async () =>
        {
            var response = await _gateway.Client.GetAsync($"/api/deliveries/{id}");
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonObject>() : null;
        }, d => d is not null, $"delivery {id} in the log"))!;
}
