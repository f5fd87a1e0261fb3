using System.Net;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;

namespace Libromi.Gateway.EndToEnd.Hooks;

/// <summary>A delivery that does not verify is refused with 401, names the scheme and reason class, and leaves nothing behind.</summary>
public sealed class VerificationFailureTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;
    private readonly List<string> _responseBodies = [];

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        _gateway = await HookGateway.StartAsync(fixture);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    public static readonly TheoryData<string> Cases =
    [
        "tampered body", "wrong secret", "stale timestamp", "future timestamp", "missing signature header",
        "hubspot stale timestamp", "hubspot future timestamp", "hubspot signed for another uri",
        "shopify wrong secret", "basic wrong password", "basic missing header", "token missing header", "token wrong",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Unverified_delivery_is_401_problem_naming_scheme_and_reason_and_nothing_is_enqueued(string @case)
    {
        var body = $$$"""{"events":[{"type":"customer.created","data":{"phone":"{{{WebhookDeliveryTests.NewPhone()}}}"}}],"phone":"{{{WebhookDeliveryTests.NewPhone()}}}"}""";
        var now = DateTimeOffset.UtcNow;
        var hubspotUri = new Uri(_gateway.BaseAddress, "/api/hooks/hubspot");
        var id = $"msg_{Guid.NewGuid():N}";
        (string Integration, string Body, (string, string)[] Headers, string Scheme, string Reason) delivery = @case switch
        {
            "tampered body" => ("shop", body.Replace("customer.created", "customer.updated", StringComparison.Ordinal),
                Senders.StandardWebhooks(HookGateway.ShopSecret, id, now, body), "standard-webhooks", "bad_signature"),
            "wrong secret" => ("shop", body, Senders.StandardWebhooks("whsec_" + Convert.ToBase64String(new byte[24]), id, now, body), "standard-webhooks", "bad_signature"),
            "stale timestamp" => ("shop", body, Senders.StandardWebhooks(HookGateway.ShopSecret, id, now.AddMinutes(-10), body), "standard-webhooks", "stale_timestamp"),
            "future timestamp" => ("shop", body, Senders.StandardWebhooks(HookGateway.ShopSecret, id, now.AddMinutes(10), body), "standard-webhooks", "future_timestamp"),
            "missing signature header" => ("shop", body, [.. Senders.StandardWebhooks(HookGateway.ShopSecret, id, now, body).Where(h => h.Name != "webhook-signature")], "standard-webhooks", "missing_header"),
            "hubspot stale timestamp" => ("hubspot", body, Senders.HubSpot(HookGateway.HubSpotSecret, hubspotUri, now.AddMinutes(-6), body), "hubspot-v3", "stale_timestamp"),
            "hubspot future timestamp" => ("hubspot", body, Senders.HubSpot(HookGateway.HubSpotSecret, hubspotUri, now.AddMinutes(6), body), "hubspot-v3", "future_timestamp"),
            "hubspot signed for another uri" => ("hubspot", body, Senders.HubSpot(HookGateway.HubSpotSecret, new Uri("https://elsewhere.example.com/api/hooks/hubspot"), now, body), "hubspot-v3", "bad_signature"),
            "shopify wrong secret" => ("shopify", body, [("X-Shopify-Hmac-Sha256", Senders.ShopifySignature("not-the-secret", body))], "hmac-sha256", "bad_signature"),
            "basic wrong password" => ("pipedrive", body, [Senders.Basic("pipedrive", "guess")], "basic", "bad_signature"),
            "basic missing header" => ("pipedrive", body, [], "basic", "missing_header"),
            "token missing header" => ("zapier", body, [], "header-token", "missing_header"),
            "token wrong" => ("zapier", body, [("X-Api-Key", HookGateway.ZapierToken + "x")], "header-token", "bad_signature"),
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };

        var response = await Senders.PostAsync(_gateway.BaseAddress, delivery.Integration, delivery.Body, "application/json", delivery.Headers);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(delivery.Scheme, problem["scheme"]!.GetValue<string>());
        Assert.Equal(delivery.Reason, problem["reason"]!.GetValue<string>());
        Assert.Contains(delivery.Reason, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, _gateway.OperationsAccepted());
        Assert.Empty((await _gateway.Queues.Realtime.PeekMessagesAsync(32)).Value);
        AssertNoSecretIn(text, delivery.Headers);
        AssertNoSecretInLogs(delivery.Headers);
    }

    [Fact]
    public async Task Secrets_never_appear_in_logs_or_responses_of_accepted_and_refused_deliveries()
    {
        var body = $$"""{"phone":"{{WebhookDeliveryTests.NewPhone()}}","name":"Eve"}""";
        var sent = new List<(string, string)[]>();
        foreach (var headers in new[]
        {
            new[] { ("X-Api-Key", HookGateway.ZapierToken) },
            [("X-Api-Key", "wrong-token-5d1")],
            [Senders.Basic("pipedrive", HookGateway.PipedrivePassword)],
            [("X-Hub-Signature-256", Senders.GitHubSignature(HookGateway.GitHubSecret, body))],
        })
        {
            foreach (var integration in new[] { "zapier", "pipedrive", "github" })
            {
                var response = await Senders.PostAsync(_gateway.BaseAddress, integration, body, "application/json", headers);
                AssertNoSecretIn(await response.Content.ReadAsStringAsync(), headers);
                sent.Add(headers);
            }
        }

        Assert.True(_gateway.OperationsAccepted() >= 1, "at least the zapier delivery is accepted, so the accepted path is covered too");
        foreach (var headers in sent)
        {
            AssertNoSecretInLogs(headers);
        }
    }

    private static void AssertNoSecretIn(string text, IEnumerable<(string Name, string Value)> headers)
    {
        // Credentials and signatures, not ids and timestamps, which are not secret.
        var presented = headers.Where(h => !h.Name.Contains("id", StringComparison.OrdinalIgnoreCase) && !h.Name.Contains("timestamp", StringComparison.OrdinalIgnoreCase));
        foreach (var secret in HookGateway.AllSecrets.Concat(presented.Select(h => h.Value)))
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    private void AssertNoSecretInLogs(IEnumerable<(string Name, string Value)> headers)
    {
        var records = _gateway.Logs.GetSnapshot();
        Assert.NotEmpty(records);
        foreach (var record in records)
        {
            var state = string.Join(" ", record.StructuredState?.Select(kv => kv.Value) ?? []);
            AssertNoSecretIn($"{record.Message} {state} {record.Exception}", headers);
        }
    }
}
