using System.Net;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;

namespace Libromi.Gateway.EndToEnd.Hooks;

/// <summary>Verified deliveries that cannot be taken get a clear problem answer and leave no trace in the queues.</summary>
public sealed class DeliveryProblemTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        _gateway = await HookGateway.StartAsync(fixture, new() { ["Gateway:MaxRequestBodyBytes"] = "2048" });
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Unknown_integration_is_404_problem_that_does_not_list_the_configured_ones()
    {
        var response = await Senders.PostAsync(_gateway.BaseAddress, "nope", "{}", "application/json", ("X-Api-Key", HookGateway.ZapierToken));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("zapier", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("shop", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Route_is_open_without_a_function_key_while_keyed_routes_are_not()
    {
        var phone = WebhookDeliveryTests.NewPhone();

        var hook = await Senders.PostAsync(_gateway.BaseAddress, "zapier", $$"""{"phone":"{{phone}}"}""", "application/json", ("X-Api-Key", HookGateway.ZapierToken));
        using var anonymous = new HttpClient { BaseAddress = _gateway.BaseAddress };
        var canonical = await anonymous.PostAsync("/api/contacts", new StringContent($$"""{"phone_number":"{{phone}}"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, hook.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, canonical.StatusCode);
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_before_verification()
    {
        var body = $$"""{"phone":"+447700900123","name":"{{new string('a', 4096)}}"}""";

        var response = await Senders.PostAsync(_gateway.BaseAddress, "zapier", body, "application/json", ("X-Api-Key", HookGateway.ZapierToken));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, _gateway.OperationsAccepted());
    }

    [Fact]
    public async Task Malformed_json_is_400_problem()
    {
        var response = await Senders.PostAsync(_gateway.BaseAddress, "zapier", """{"phone": """, "application/json", ("X-Api-Key", HookGateway.ZapierToken));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Unsupported_content_type_is_415_problem_after_verification()
    {
        var response = await Senders.PostAsync(_gateway.BaseAddress, "zapier", "phone=1", "text/plain", ("X-Api-Key", HookGateway.ZapierToken));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Unsupported_content_type_without_credentials_is_still_401()
    {
        var response = await Senders.PostAsync(_gateway.BaseAddress, "zapier", "phone=1", "text/plain");

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Missing_phone_is_422_with_errors_keyed_by_item_and_nothing_is_enqueued()
    {
        var good = WebhookDeliveryTests.NewPhone();
        var body = $$$"""{"events":[{"type":"customer.created","data":{"phone":"{{{good}}}"}},{"type":"customer.created","data":{"first_name":"NoPhone"}}]}""";

        var response = await Senders.PostAsync(_gateway.BaseAddress, "shop", body, "application/json",
            Senders.StandardWebhooks(HookGateway.ShopSecret, $"msg_{Guid.NewGuid():N}", DateTimeOffset.UtcNow, body));

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem["errors"]!["items[1].phone_number"]);
        Assert.Null(problem["errors"]!["items[0].phone_number"]);
    }

    [Fact]
    public async Task Missing_items_array_is_422()
    {
        var body = """{"type":"customer.created"}""";

        var response = await Senders.PostAsync(_gateway.BaseAddress, "shop", body, "application/json",
            Senders.StandardWebhooks(HookGateway.ShopSecret, $"msg_{Guid.NewGuid():N}", DateTimeOffset.UtcNow, body));

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem["errors"]!["items"]);
    }

    [Fact]
    public async Task Unreadable_secret_is_503_with_retry_after_and_does_not_name_the_secret()
    {
        var response = await Senders.PostAsync(_gateway.BaseAddress, "unconfigured", """{"phone":"+447700900123"}""", "application/json", ("X-Api-Key", "anything"));

        var problem = await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("secret_unavailable", problem["reason"]!.GetValue<string>());
        Assert.DoesNotContain("secret-nobody-set", problem.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(_gateway.Logs.GetSnapshot(), r => r.Id.Name == "HookSecretUnavailable");
    }

    private async Task<JsonNode> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()));
        Assert.Equal(0, _gateway.OperationsAccepted());
        Assert.Empty((await _gateway.Queues.Realtime.PeekMessagesAsync(32)).Value);
        return problem;
    }
}
