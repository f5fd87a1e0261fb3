using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Hooks;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Ingest;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Libromi.Gateway.EndToEnd.Reliability;

/// <summary>
/// One test per defect an attacker's and a careless sender's requests found: each answered 500 or 503, hung, or left a
/// half-queued delivery behind. Every test here failed before the fix.
/// </summary>
public sealed class HostileInputRegressionTests(PipelineFixture fixture, ITestOutputHelper output) : IClassFixture<PipelineFixture>
{
    private const string Phone = "+447700900123";

    [Theory]
    [InlineData("/api/contacts", "phone_number", """{"phone_number":"+447700900001","phone_number":"+447700900002"}""")]
    [InlineData("/api/contacts", "city", """{"phone_number":"+447700900001","attributes":{"city":"Leeds","city":"York"}}""")]
    [InlineData("/api/staff-assignments", "staff_email", """{"phone_number":"+447700900001","staff_email":"a@company.test","staff_email":"b@company.test"}""")]
    public async Task A_property_sent_twice_gets_a_400_naming_it_and_nothing_is_queued(string route, string field, string body)
    {
        await fixture.ResetAsync();
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, configureServices: GatewayHost.WithoutDrain);

        var response = await gateway.PostJsonAsync(route, body);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
        Assert.Contains("appears twice", problem.Detail);
        Assert.Contains($"'{field}'", problem.Detail);
        Assert.Empty(await SecretScan.PeekQueueMessagesAsync(gateway));
    }

    [Fact]
    public async Task A_webhook_with_a_property_sent_twice_gets_a_400_and_nothing_is_queued()
    {
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture);

        var response = await Senders.PostAsync(gateway.BaseAddress, "zapier", """{"phone":"+447700900001","phone":"+447700900002"}""", "application/json",
            ("X-Api-Key", HookGateway.ZapierToken));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed-body");
        Assert.Contains("'phone'", problem.Detail);
        Assert.Equal(0, gateway.OperationsAccepted());
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData(".")]
    [InlineData("xn--")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("300 letters")]
    public async Task A_malformed_host_header_gets_a_4xx_on_webhooks_and_logs_no_error(string host)
    {
        host = host == "300 letters" ? new string('h', 300) : host;
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture);

        var answer = await RawHttp.SendAsync(gateway.BaseAddress, "POST", "/api/hooks/zapier", host,
            new Dictionary<string, string> { ["Content-Type"] = "application/json", ["X-Api-Key"] = HookGateway.ZapierToken },
            Encoding.UTF8.GetBytes($$"""{"phone":"{{Phone}}"}"""));

        var errors = gateway.Logs.GetSnapshot().Where(r => r.Level >= LogLevel.Error).Select(r => r.Message + " " + r.Exception + " " + r.Exception?.StackTrace).ToList();
        Assert.True(errors.Count == 0, "logged errors:\n" + string.Join("\n", errors));
        Assert.InRange(answer.Status, 400, 499);
        if (answer.ContentType is not null)
        {
            // Kestrel itself refuses some hosts with a bare 400 before the app runs; the app's refusals are problems.
            Assert.Equal("application/problem+json", answer.ContentType);
            Assert.Contains("malformed-host", answer.Body);
        }
        Assert.Equal(0, gateway.OperationsAccepted());
    }

    [Theory]
    [InlineData(1, 100 * 1024)]
    [InlineData(150, 1024)]
    public async Task An_operation_larger_than_a_queue_message_gets_413_with_the_limit_not_503(int attributes, int valueLength)
    {
        await fixture.ResetAsync();
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, configureServices: GatewayHost.WithoutDrain);
        var values = new JsonObject();
        for (var i = 0; i < attributes; i++)
        {
            values[$"field_{i}"] = new string('x', valueLength);
        }

        var response = await gateway.PostJsonAsync("/api/contacts", new JsonObject { ["phone_number"] = Phone, ["attributes"] = values }.ToJsonString());

        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "operation-too-large");
        Assert.Contains($"at most {OperationIngestor.MaxOperationJsonBytes} bytes", problem.Detail);
        Assert.Null(response.Headers.RetryAfter);
        Assert.Empty(await SecretScan.PeekQueueMessagesAsync(gateway));
    }

    [Fact]
    public async Task A_delivery_whose_second_item_is_too_large_is_refused_whole_and_its_fix_is_delivered_once()
    {
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture);
        var small = new JsonObject { ["phone"] = "+447700900201", ["name"] = "Ann" };
        var large = new JsonObject { ["phone"] = "+447700900202", ["name"] = new string('n', 60 * 1024) };

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var refused = await Senders.PostAsync(gateway.BaseAddress, "zapier", new JsonArray(small.DeepClone(), large.DeepClone()).ToJsonString(),
                "application/json", ("X-Api-Key", HookGateway.ZapierToken), ("X-Request-Id", "delivery-1"));
            var problem = await AssertProblemAsync(refused, HttpStatusCode.RequestEntityTooLarge, "operation-too-large");
            Assert.Contains("items[1]", problem.Detail);
        }
        Assert.Equal(0, gateway.OperationsAccepted());

        large["name"] = "Bob";
        var accepted = await Senders.PostAsync(gateway.BaseAddress, "zapier", new JsonArray(small.DeepClone(), large.DeepClone()).ToJsonString(),
            "application/json", ("X-Api-Key", HookGateway.ZapierToken), ("X-Request-Id", "delivery-1"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactAsync("447700900202"), c => c?.Attributes.ContainsKey("name") == true, "the fixed item");
        var requests = await fixture.Simulator.Inspector.GetRequestsAsync();
        Assert.Single(requests, r => r.Path.Contains("447700900201", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_delivery_that_storage_fails_part_way_leaves_nothing_queued_and_its_redelivery_reaches_Libromi_once()
    {
        await fixture.ResetAsync();
        var fault = new FailNthMessageWrite(n: 3);
        await using var gateway = await HookGateway.StartAsync(fixture, HookGateway.IntegrationsJson, configureServices: services =>
        {
            GatewayHost.WithoutDrain(services);
            services.AddAzureClients(clients => clients.ConfigureDefaults(options => options.AddPolicy(fault, HttpPipelinePosition.PerCall)));
        });
        var phones = Enumerable.Range(0, 5).Select(i => $"+4477009003{i:00}").ToArray();
        var body = new JsonArray([.. phones.Select(p => (JsonNode)new JsonObject { ["phone"] = p, ["name"] = "Cy" })]).ToJsonString();

        var failed = await Senders.PostAsync(gateway.BaseAddress, "zapier", body, "application/json", ("X-Api-Key", HookGateway.ZapierToken), ("X-Request-Id", "delivery-2"));

        await AssertProblemAsync(failed, HttpStatusCode.ServiceUnavailable, "storage-unavailable");
        Assert.NotNull(failed.Headers.RetryAfter);
        Assert.Equal(3, fault.Writes); // two stored, the third refused, none after it
        Assert.Empty(await SecretScan.PeekQueueMessagesAsync(gateway));

        var redelivered = await Senders.PostAsync(gateway.BaseAddress, "zapier", body, "application/json", ("X-Api-Key", HookGateway.ZapierToken), ("X-Request-Id", "delivery-2"));
        Assert.Equal(HttpStatusCode.Accepted, redelivered.StatusCode);
        Assert.Equal(phones.Length, (await SecretScan.PeekQueueMessagesAsync(gateway)).Count);
    }

    [Fact]
    public async Task A_delivery_with_more_items_than_the_limit_gets_422_and_queues_nothing()
    {
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture, new Dictionary<string, string?> { ["Gateway:Hooks:MaxItemsPerDelivery"] = "10" });
        var items = new JsonArray([.. Enumerable.Range(0, 11).Select(i => (JsonNode)new JsonObject { ["phone"] = $"+4477009004{i:00}" })]);

        var response = await Senders.PostAsync(gateway.BaseAddress, "zapier", items.ToJsonString(), "application/json", ("X-Api-Key", HookGateway.ZapierToken));

        var problem = await AssertProblemAsync(response, (HttpStatusCode)422, "too-many-items");
        Assert.Contains("11 items; at most 10", problem.Detail);
        Assert.Equal(0, gateway.OperationsAccepted());
    }

    /// <summary>
    /// At the production default (<c>Gateway:StorageTimeout</c> 5 s) with Azurite frozen, on every ingest route: before
    /// the bound, requests hung for the SDK's retries (about 25 s) and then answered 202, long after a sender had given
    /// up and retried.
    /// </summary>
    [Fact]
    public async Task Ingest_answers_503_within_its_default_bound_while_storage_is_frozen()
    {
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture, HookGateway.IntegrationsJson, configureServices: GatewayHost.WithoutDrain);
        var bound = new Configuration.GatewayOptions().StorageTimeout;
        Assert.Equal(TimeSpan.FromSeconds(5), bound);

        await fixture.Azurite.FreezeAsync();
        List<(HttpResponseMessage Response, TimeSpan Took)> answers;
        try
        {
            answers = [.. await Task.WhenAll(
                TimedAsync(() => gateway.PostJsonAsync("/api/contacts", $$"""{"phone_number": "{{Phone}}", "attributes": {"city": "Bath"} }""")),
                TimedAsync(() => gateway.PostJsonAsync("/api/staff-assignments", $$"""{"phone_number": "{{Phone}}", "staff_email": "a@company.test"}""")),
                TimedAsync(() => Senders.PostAsync(gateway.BaseAddress, "zapier", $$"""{"phone": "{{Phone}}"}""", "application/json", ("X-Api-Key", HookGateway.ZapierToken))),
                TimedAsync(() => gateway.Client.PostAsync("/api/imports", new StringContent($"name,phone_number,group\nAnn,{Phone},vip\n", Encoding.UTF8, "text/csv"))))];
        }
        finally
        {
            await fixture.Azurite.ThawAsync();
        }

        output.WriteLine($"answered while frozen after: {string.Join(", ", answers.Select(a => $"{(int)a.Response.StatusCode} in {a.Took.TotalSeconds:0.00} s"))}");
        foreach (var (response, took) in answers)
        {
            await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "storage-unavailable");
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.InRange(took, bound - TimeSpan.FromMilliseconds(100), bound + TimeSpan.FromSeconds(2));
        }
        var after = await gateway.PostJsonAsync("/api/contacts", $$"""{"phone_number": "{{Phone}}", "attributes": {"city": "Bath"} }""");
        Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
    }

    [Fact]
    public async Task Without_keys_a_loopback_caller_behind_a_proxy_is_refused()
    {
        await fixture.ResetAsync();
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator,
            new Dictionary<string, string?> { ["Gateway:ApiKey"] = null, ["Gateway:AdminKey"] = null }, GatewayHost.WithoutDrain);
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };

        using var direct = await client.PostAsync("/api/contacts", Json($$"""{"phone_number": "{{Phone}}"}"""));
        using var proxied = new HttpRequestMessage(HttpMethod.Post, "/api/contacts") { Content = Json($$"""{"phone_number": "{{Phone}}"}""") };
        proxied.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var viaProxy = await client.SendAsync(proxied);

        Assert.Equal(HttpStatusCode.Accepted, direct.StatusCode);
        await AssertProblemAsync(viaProxy, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Single(await SecretScan.PeekQueueMessagesAsync(gateway));
    }

    [Fact]
    public async Task A_415_does_not_echo_the_senders_content_type_and_every_answer_says_nosniff()
    {
        await fixture.ResetAsync();
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, configureServices: GatewayHost.WithoutDrain);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/contacts") { Content = new StringContent("{}") };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "text/html-marker");
        request.Headers.Add("x-functions-key", GatewayHost.ApiKey);

        using var response = await gateway.Client.SendAsync(request);
        using var missing = await gateway.Client.GetAsync("/api/no-such-route");
        using var health = await gateway.Client.GetAsync("/api/health");

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        Assert.DoesNotContain("html-marker", problem.Detail);
        foreach (var answer in new[] { response, missing, health })
        {
            Assert.Equal("nosniff", Assert.Single(answer.Headers.GetValues("X-Content-Type-Options")));
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(HttpResponseMessage, TimeSpan)> TimedAsync(Func<Task<HttpResponseMessage>> send)
    {
        var clock = Stopwatch.StartNew();
        var response = await send();
        return (response, clock.Elapsed);
    }

    private sealed record Problem(int Status, string Type, string Detail);

    private static async Task<Problem> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        Assert.Equal("https://libromi-gateway.dev/problems/" + type, root.GetProperty("type").GetString());
        return new Problem(root.GetProperty("status").GetInt32(), type, root.GetProperty("detail").GetString() ?? "");
    }

    /// <summary>
    /// Storage refusing the n-th queue write of a host, as a storage fault mid-delivery looks to the gateway: the
    /// writes before it reach Azurite, that one is answered 503 before it leaves the process, the rest pass.
    /// </summary>
    private sealed class FailNthMessageWrite(int n) : HttpPipelinePolicy
    {
        private int _writes;

        public int Writes => Volatile.Read(ref _writes);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ThrowIfNth(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ThrowIfNth(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void ThrowIfNth(HttpMessage message)
        {
            if (message.Request.Method == RequestMethod.Post && message.Request.Uri.Path.EndsWith("/messages", StringComparison.Ordinal)
                && Interlocked.Increment(ref _writes) == n)
            {
                throw new RequestFailedException(503, "Injected: the storage account is unavailable.");
            }
        }
    }
}
