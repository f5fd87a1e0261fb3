using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.EndToEnd.Reliability;
using Libromi.Gateway.EndToEnd.Trail;
using Libromi.Gateway.Operations;
using Libromi.Gateway.RateLimiting;
using Libromi.Gateway.Scenarios;
using Libromi.Simulator.Scenarios;

namespace Libromi.Gateway.EndToEnd.Scenarios;

/// <summary>
/// <c>POST /api/scenario-triggers</c> through the standalone host, real Azurite and the simulator's scenario URLs:
/// the flat body, retries, a deleted scenario, the URL kept secret, its own rate limit, and no second POST.
/// </summary>
public sealed class ScenarioTriggerTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private const string Scenario = "order_confirmation";
    private const string SecretName = "scenario-order-confirmation";

    // A fresh scenario URL per test: the URL is the secret the scans look for.
    private readonly string _hookId = "hook-" + Guid.NewGuid().ToString("N");

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private string ScenarioUrl => new Uri(new Uri(fixture.Simulator.BaseUrl), "/scenarios/" + _hookId).AbsoluteUri;

    private Task<GatewayHost> StartAsync(string delivery = "at_most_once", Action<IServiceCollection>? configureServices = null, Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"Scenarios:Definitions:{Scenario}:Secret"] = SecretName,
            [$"Scenarios:Definitions:{Scenario}:Delivery"] = delivery,
            [$"Gateway:Secrets:{SecretName}"] = ScenarioUrl,
            ["Scenarios:Timeout"] = "00:00:01",
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        return GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, settings, configureServices);
    }

    private static async Task<string> TriggerAsync(GatewayHost gateway, string json = """{"scenario": "order_confirmation", "phone_number": "+91 98765 43210", "fields": {"name": "John", "order_id": "ORD-123", "total": 12.5, "vip": true}}""")
    {
        var response = await gateway.PostJsonAsync("/api/scenario-triggers", json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["operation_id"]!.GetValue<string>();
    }

    private Task<ScenarioState> WaitForPostsAsync(Func<ScenarioState, bool> done, string what) =>
        Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetScenarioAsync(_hookId), done, what,
            describe: s => JsonSerializer.Serialize(s));

    [Fact]
    public async Task Trigger_posts_the_flat_body_with_the_phone_number_in_digits_once()
    {
        await using var gateway = await StartAsync();

        var operationId = await TriggerAsync(gateway);

        var state = await WaitForPostsAsync(s => s.Posts.Count == 1 && s.Posts[0].Status == 200, "one answered POST");
        var expected = JsonNode.Parse("""{"name": "John", "order_id": "ORD-123", "total": 12.5, "vip": true, "phone_number": "919876543210"}""");
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(state.Posts[0].Body.GetRawText())), state.Posts[0].Body.GetRawText());
        var operation = await gateway.WaitForStateAsync(operationId, "delivered");
        Assert.Equal("trigger_scenario", operation!.Calls().Single()["step"]?.GetValue<string>());
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single((await fixture.Simulator.Inspector.GetScenarioAsync(_hookId)).Posts);
        Assert.Empty(await gateway.PeekDeadLettersAsync());
    }

    [Fact]
    public async Task Unconfigured_scenario_is_refused_with_a_problem_naming_it_and_nothing_is_queued()
    {
        await using var gateway = await StartAsync(configureServices: GatewayHost.WithoutDrain);

        var response = await gateway.PostJsonAsync("/api/scenario-triggers", """{"scenario": "deal_won", "phone_number": "+919876543210", "fields": {"nested": {"a": 1}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains("deal_won", problem!["errors"]!["scenario"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(problem["errors"]!["fields.nested"]);
        Assert.Empty(await SecretScan.PeekQueueMessagesAsync(gateway));
    }

    [Fact]
    public async Task Server_errors_are_retried_and_the_scenario_is_delivered_once()
    {
        await fixture.Simulator.Inspector.SetScenarioAsync(_hookId, new ScenarioBehaviour(Script: [500, 503]));
        await using var gateway = await StartAsync();

        var operationId = await TriggerAsync(gateway);

        var state = await WaitForPostsAsync(s => s.Posts.Any(p => p.Status == 200), "a successful POST after two 5xx");
        Assert.Equal([500, 503, 200], state.Posts.Select(p => p.Status ?? 0));
        await gateway.WaitForStateAsync(operationId, "delivered");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await fixture.Simulator.Inspector.GetScenarioAsync(_hookId)).Posts.Count(p => p.Status == 200));
        Assert.Empty(await gateway.PeekDeadLettersAsync());
    }

    [Fact]
    public async Task A_timed_out_post_is_retried_and_the_scenario_is_delivered_once()
    {
        // The first answer takes 3 s; the gateway waits 1 s (Scenarios:Timeout) and goes away.
        await fixture.Simulator.Inspector.SetScenarioAsync(_hookId, new ScenarioBehaviour(DelayMs: 3000, DelayCount: 1));
        await using var gateway = await StartAsync();

        var operationId = await TriggerAsync(gateway);

        await gateway.WaitForStateAsync(operationId, "delivered", TimeSpan.FromSeconds(30));
        var state = await fixture.Simulator.Inspector.GetScenarioAsync(_hookId);
        Assert.Equal(2, state.Posts.Count);
        Assert.True(state.Posts[0].Abandoned, JsonSerializer.Serialize(state));
        Assert.Equal(200, state.Posts[1].Status);
        Assert.Empty(await gateway.PeekDeadLettersAsync());
    }

    [Fact]
    public async Task Deleted_scenario_is_dead_lettered_with_a_clear_reason_after_one_post()
    {
        await fixture.Simulator.Inspector.SetScenarioAsync(_hookId, new ScenarioBehaviour(Deleted: true));
        await using var gateway = await StartAsync();

        var operationId = await TriggerAsync(gateway);

        var deadLetters = await Eventually.WaitForAsync(gateway.PeekDeadLettersAsync, d => d.Count == 1, "one dead letter");
        var record = JsonNode.Parse(deadLetters[0])!;
        Assert.Equal(DeadLetterReasons.Rejected, record["reason_class"]!.GetValue<string>());
        Assert.Equal(ScenarioClient.NotFoundReason, record["reason"]!.GetValue<string>());
        Assert.Equal(404, record["status"]!.GetValue<int>());
        Assert.Equal(Scenario, record["envelope"]!["steps"]![0]!["scenario"]!.GetValue<string>());
        await gateway.WaitForStateAsync(operationId, "dead_lettered");
        Assert.Single((await fixture.Simulator.Inspector.GetScenarioAsync(_hookId)).Posts);
    }

    [Fact]
    public async Task Scenario_url_never_appears_in_logs_answers_dead_letters_queue_messages_or_the_trail()
    {
        await fixture.Simulator.Inspector.SetScenarioAsync(_hookId, new ScenarioBehaviour(Script: [500, 404]));
        await using var gateway = await StartAsync();

        var accepted = await gateway.PostJsonAsync("/api/scenario-triggers", """{"scenario": "order_confirmation", "phone_number": "+919876543210", "fields": {"name": "Asha"}}""");
        var operationId = (await accepted.Content.ReadFromJsonAsync<JsonObject>())!["operation_id"]!.GetValue<string>();
        var refused = await gateway.PostJsonAsync("/api/scenario-triggers", """{"scenario": "nope", "phone_number": "+919876543210"}""");
        await Eventually.WaitForAsync(gateway.PeekDeadLettersAsync, d => d.Count == 1, "the 404 dead-lettered");
        var operation = await gateway.WaitForStateAsync(operationId, "dead_lettered");
        var health = await gateway.Client.GetStringAsync("/api/health");

        var found = await SecretScan.FindAsync(gateway, [ScenarioUrl, "/scenarios/" + _hookId, _hookId],
            [await refused.Content.ReadAsStringAsync(), operation!.ToJsonString(), health]);

        Assert.True(found.Count == 0, string.Join("\n", found));
        Assert.Contains(gateway.Logs.GetSnapshot(), r => r.Id.Name == "ScenarioPosted");
    }

    [Fact]
    public async Task Rate_limited_scenario_waits_without_pausing_contact_calls()
    {
        await fixture.Simulator.Inspector.SetScenarioAsync(_hookId, new ScenarioBehaviour(Script: [429], RetryAfterSeconds: 30));
        await using var gateway = await StartAsync();

        await TriggerAsync(gateway);
        await WaitForPostsAsync(s => s.Posts.Any(p => p.Status == 429), "the 429");
        var contact = await gateway.PostContactAsync("""{"phone_number": "+447700900777", "attributes": {"city": "Leeds"}}""");

        await gateway.WaitForStateAsync(contact, "delivered", TimeSpan.FromSeconds(10));
        var now = DateTimeOffset.UtcNow;
        Assert.True(gateway.App.Services.GetRequiredService<SendingState>().PausedUntil <= now, "contact calls must not be paused by a scenario's 429");
        Assert.True(gateway.App.Services.GetRequiredService<ScenarioGate>().PausedUntil > now + TimeSpan.FromSeconds(20), "scenario calls wait out the Retry-After");
        Assert.Single((await fixture.Simulator.Inspector.GetScenarioAsync(_hookId)).Posts);
    }

    [Theory]
    [InlineData("at_most_once", 0)]
    [InlineData("at_least_once", 1)]
    public async Task A_step_posted_by_a_run_that_stopped_before_its_answer_was_recorded_follows_the_delivery_setting(string delivery, int expectedPosts)
    {
        // What a crash between the POST and the recorded outcome leaves: the message still queued, the intent row without outcome.
        string operationId;
        await using (var stopped = await StartAsync(delivery, GatewayHost.WithoutDrain))
        {
            operationId = await TriggerAsync(stopped);
            await stopped.App.Services.GetRequiredService<ScenarioIntents>().RecordIntentAsync(operationId, 0, Scenario);
        }

        await using var gateway = await StartAsync(delivery);

        if (expectedPosts == 0)
        {
            var deadLetters = await Eventually.WaitForAsync(gateway.PeekDeadLettersAsync, d => d.Count == 1, "the outcome_unknown dead letter");
            Assert.Equal(DeadLetterReasons.OutcomeUnknown, JsonNode.Parse(deadLetters[0])!["reason_class"]!.GetValue<string>());
            var operation = await gateway.WaitForStateAsync(operationId, "dead_lettered");
            Assert.Contains(DeadLetterReasons.OutcomeUnknown, operation!.ToJsonString(), StringComparison.Ordinal);
        }
        else
        {
            await gateway.WaitForStateAsync(operationId, "delivered");
        }
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(expectedPosts, (await fixture.Simulator.Inspector.GetScenarioAsync(_hookId)).Posts.Count);
    }
}
