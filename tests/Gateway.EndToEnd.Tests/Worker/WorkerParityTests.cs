using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Hooks;
using Libromi.Gateway.EndToEnd.Reliability;
using Libromi.Gateway.Queueing;
using Xunit.Abstractions;

namespace Libromi.Gateway.EndToEnd.Worker;

/// <summary>
/// The Functions worker, driven the way the Functions host drives it, answers as the standalone host does (status,
/// content type, problem type and title, body shape), and what it queues reaches Libromi through the worker's drain,
/// started by its wake trigger. Each request goes to both hosts; the standalone one runs without its drain, so
/// everything delivered went through the worker.
/// </summary>
public sealed class WorkerParityTests(WorkerFixture fixture, ITestOutputHelper output) : IClassFixture<WorkerFixture>
{
    private sealed record Answer(int Status, string? MediaType, string Body, string? AnsweredByHost, bool NoSniff = false);

    private WorkerHost Worker => fixture.Worker;

    [Fact]
    public async Task Readme_walkthrough_answers_as_the_standalone_host_and_reaches_Libromi_through_the_workers_queue_functions()
    {
        await fixture.Pipeline.ResetAsync();
        await using var standalone = await fixture.StartStandaloneAsync();
        var completedBefore = Worker.QueueMessagesCompleted;
        var staff = SimulatorFixture.StaffEmail;

        var differences = await CompareAsync(standalone,
        [
            // Read-only routes first, while both see the same empty queues.
            ("health", _ => Request(HttpMethod.Get, "/api/health")),
            ("health/live", _ => Request(HttpMethod.Get, "/api/health/live")),
            ("health/ready", _ => Request(HttpMethod.Get, "/api/health/ready")),
            ("dead letters (admin key)", _ => Request(HttpMethod.Get, "/api/dead-letters", key: GatewayHost.AdminKey)),
            ("contact upsert", _ => Json("/api/contacts", """{"phone_number": "+44 7700 900123", "attributes": {"city": "Leeds", "age": 31}}""")),
            ("staff assignment", _ => Json("/api/staff-assignments", $$"""{"phone_number": "+44 7700 900123", "staff_email": "{{staff}}"}""")),
            ("contact with staff_email", _ => Json("/api/contacts", $$"""{"phone_number": "+44 7700 900124", "attributes": {"city": "York"}, "staff_email": "{{staff}}"}""")),
            ("key in the query", _ => Json($"/api/contacts?code={GatewayHost.ApiKey}", """{"phone_number": "+44 7700 900125"}""", key: null)),
            ("invalid phone number", _ => Json("/api/contacts", """{"phone_number": "12"}""")),
            ("unconfigured scenario", _ => Json("/api/scenario-triggers", """{"scenario": "deal_won", "phone_number": "+44 7700 900123"}""")),
            ("unknown dead letter", _ => Request(HttpMethod.Delete, "/api/dead-letters/nosuch", key: GatewayHost.AdminKey)),
        ]);
        Assert.True(differences.Count == 0, string.Join("\n", differences));

        // 4 operations from each host, delivered by the worker's drain (woken through its wake trigger). The separate staff assignment
        // may run before its contact exists (the README says so), so only the combined operation's assignment is certain.
        var leeds = await WaitForAsync(() => fixture.Pipeline.Simulator.Inspector.GetContactAsync("447700900123"),
            c => c?.Attributes.ContainsKey("city") == true, "Leeds contact upserted");
        Assert.Equal("Leeds", leeds!.Attributes["city"].GetString());
        var york = await WaitForAsync(() => fixture.Pipeline.Simulator.Inspector.GetContactAsync("447700900124"),
            c => c?.AssignedStaff == staff, "York contact upserted then assigned");
        Assert.Equal("York", york!.Attributes["city"].GetString());
        await WaitForAsync(() => Task.FromResult(Worker.QueueMessagesCompleted - completedBefore), n => n >= 1, "a wake invocation of the worker's drain completed");
        await AssertQueuesDrainedAsync();
    }

    [Fact]
    public async Task Webhook_walkthrough_answers_as_the_standalone_host_duplicates_included()
    {
        await fixture.Pipeline.ResetAsync();
        await using var standalone = await fixture.StartStandaloneAsync();
        var github = """{"phone": "+447700900131", "login": "octo"}""";

        var differences = await CompareAsync(standalone,
        [
            // Attribute types are learned per instance from what it delivered, and the worker delivers here while the
            // standalone host does not: the dry runs resolve only attributes no test delivers, so both know them as unknown.
            // They run before this test delivers anything.
            ("dry run of a live integration (admin key)", _ => Json("/api/integrations/github/test",
                """{"sample": {"body": {"phone": "+447700900132", "nick": "Ann"}, "headers": {"X-Hub-Signature-256": "sha256=00"}}}""", key: GatewayHost.AdminKey)),
            ("dry run of a draft", _ => Json("/api/integrations/newcrm/test",
                """{"sample": {"body": {"phone": "+447700900133", "note": "vip"}}, "definition": {"verify": {"scheme": "header-token", "header": "X-Api-Key", "secret": "zapier-token"}, "operations": [{"upsert_contact": {"phone_number": "phone", "attributes": {"parity_note": "note"}}}]}}""", key: GatewayHost.AdminKey)),
            ("dry run of an invalid draft", _ => Json("/api/integrations/newcrm/test",
                """{"sample": {"body": {}}, "definition": {"verify": {"scheme": "none"}, "operations": []}}""", key: GatewayHost.AdminKey)),
            // Delivery ids differ per host (the deduplication table is shared); the sequence of answers must not.
            ("zapier delivery", host => Zapier($"delivery-{host}")),
            ("zapier same delivery again", host => Zapier($"delivery-{host}")),
            ("github signed", host => Hook("/api/hooks/github", github, new() { ["X-Hub-Signature-256"] = Sign(HookGateway.GitHubSecret, github), ["X-GitHub-Delivery"] = $"gh-{host}" })),
            ("github wrong signature", host => Hook("/api/hooks/github", github, new() { ["X-Hub-Signature-256"] = Sign("wrong", github), ["X-GitHub-Delivery"] = $"gh2-{host}" })),
            ("unknown integration", _ => Hook("/api/hooks/nosuch", "{}", [])),
            ("integration without its secret", _ => Hook("/api/hooks/unconfigured", "{}", new() { ["X-Api-Key"] = "x" })),
        ]);
        Assert.True(differences.Count == 0, string.Join("\n", differences));

        var contact = await WaitForAsync(() => fixture.Pipeline.Simulator.Inspector.GetContactAsync("447700900130"),
            c => c?.Attributes.ContainsKey("source") == true && c.AssignedStaff == SimulatorFixture.StaffEmail, "the zapier contact upserted and assigned");
        Assert.Equal("zapier", contact!.Attributes["source"].GetString());
        await WaitForAsync(() => fixture.Pipeline.Simulator.Inspector.GetContactAsync("447700900131"), c => c?.Attributes.ContainsKey("github_login") == true, "the github contact");
        await AssertQueuesDrainedAsync();

        static HttpRequestMessage Zapier(string delivery) =>
            Hook("/api/hooks/zapier", $$"""{"phone": "+447700900130", "name": "Ann", "owner_email": "{{SimulatorFixture.StaffEmail}}"}""",
                new() { ["X-Api-Key"] = HookGateway.ZapierToken, ["X-Request-Id"] = delivery });
    }

    [Fact]
    public async Task Import_through_the_worker_answers_as_the_standalone_host_and_completes_through_the_bulk_queue_function()
    {
        await fixture.Pipeline.ResetAsync();
        await using var standalone = await fixture.StartStandaloneAsync();
        var csv = "name,phone_number,group\nAnn,+447700900141,vip\nBob,+447700900142,\nbad,12,x\n";
        var locations = new Dictionary<string, string>();

        var differences = await CompareAsync(standalone,
        [
            ("import accepted with one invalid row", _ => File("/api/imports", csv, "text/csv")),
            ("strict import refused", _ => File("/api/imports?mode=strict", csv, "text/csv")),
            ("unknown import", _ => Request(HttpMethod.Get, $"/api/imports/{Guid.NewGuid():N}")),
        ], (host, step, answer) =>
        {
            if (step == 0)
            {
                locations[host] = JsonNode.Parse(answer.Body)!["location"]!.GetValue<string>();
            }
        });
        Assert.True(differences.Count == 0, string.Join("\n", differences));

        // Both imports finish through the worker's drain; their final progress reads alike on both hosts.
        foreach (var location in locations.Values)
        {
            await WaitForAsync(() => GetJsonAsync(Worker.Client, location), p => p["status"]?.GetValue<string>() == "completed", $"import {location} completed", TimeSpan.FromSeconds(60));
        }
        differences = await CompareAsync(standalone, [.. locations.Values.Select(l => ($"progress {l}", (Func<string, HttpRequestMessage>)(_ => Request(HttpMethod.Get, l))))]);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        Assert.NotNull(await fixture.Pipeline.Simulator.Inspector.GetContactAsync("447700900142"));
        await AssertQueuesDrainedAsync();
    }

    [Fact]
    public async Task Bad_input_corpus_gets_the_standalone_hosts_answers_from_the_worker_and_leaves_no_trace()
    {
        await fixture.Pipeline.ResetAsync();
        await using var standalone = await fixture.StartStandaloneAsync();
        var cases = BadInputCorpus.Cases().ToList();
        var differences = new List<string>();
        var answeredByHost = new SortedDictionary<string, int>();

        using var standaloneClient = new HttpClient { BaseAddress = standalone.BaseAddress };
        using var workerClient = new HttpClient { BaseAddress = Worker.BaseAddress };
        foreach (var c in cases)
        {
            using var first = BadInputCorpus.ToRequest(c);
            using var second = BadInputCorpus.ToRequest(c);
            var expected = await SendAsync(standaloneClient, first);
            var actual = await SendAsync(workerClient, second);
            if (actual.AnsweredByHost is { } reason)
            {
                // No route, a wrong method or a refused key: on Azure the host answers these before the worker runs, with
                // a bare status. Both must still refuse.
                answeredByHost[reason] = answeredByHost.GetValueOrDefault(reason) + 1;
                if (actual.Status is < 400 or > 499 || expected.Status is < 400 or > 499)
                {
                    differences.Add($"{c.Name}: standalone {expected.Status}, host {actual.Status}");
                }
                continue;
            }
            differences.AddRange(Differences(c.Name, expected, actual));
            if (!actual.NoSniff && c.Kind != BadInputCorpus.ServerLevel)
            {
                // The header comes from a startup filter; the worker's ASP.NET Core integration must run it too.
                differences.Add($"{c.Name}: the worker's answer lacks X-Content-Type-Options: nosniff");
            }
        }

        output.WriteLine($"cases {cases.Count}; answered by the host without invoking the worker: {string.Join(", ", answeredByHost.Select(a => $"{a.Key} {a.Value}"))}; differences {differences.Count}");
        Assert.True(differences.Count == 0, $"{differences.Count} of {cases.Count} cases differ:\n" + string.Join("\n", differences.Take(40)));
        Assert.True(cases.Count - answeredByHost.Values.Sum() >= 200, "most cases must reach the worker's functions");
        Assert.Empty(await SecretScan.PeekQueueMessagesAsync(standalone));
        Assert.Empty(await fixture.Pipeline.Simulator.Inspector.GetRequestsAsync());
        Assert.Empty(await standalone.PeekDeadLettersAsync());
        Assert.Empty(Worker.InvocationFailures);
        AssertNoSecretIn(Worker.Output);
    }

    [Fact]
    public async Task Operation_trail_written_by_the_worker_answers_from_the_worker_as_from_the_standalone_host()
    {
        await fixture.Pipeline.ResetAsync();
        await using var standalone = await fixture.StartStandaloneAsync();
        using var workerClient = new HttpClient { BaseAddress = Worker.BaseAddress };
        using var accepted = await workerClient.SendAsync(Json("/api/contacts", """{"phone_number": "+44 7700 900141", "attributes": {"city": "Bath"}}"""));
        var id = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["operation_id"]!.GetValue<string>();
        await WaitForAsync(async () =>
        {
            using var answer = await workerClient.SendAsync(Request(HttpMethod.Get, $"/api/operations/{id}"));
            return TryParse(await answer.Content.ReadAsStringAsync())?["state"]?.GetValue<string>();
        }, state => state == "delivered", "the trail the worker wrote to show the operation delivered");
        var unknown = Guid.CreateVersion7().ToString("N");

        var differences = await CompareAsync(standalone,
        [
            ("operation", _ => Request(HttpMethod.Get, $"/api/operations/{id}")),
            ("operations by phone", _ => Request(HttpMethod.Get, "/api/operations?phone_number=447700900141")),
            ("unknown operation", _ => Request(HttpMethod.Get, $"/api/operations/{unknown}")),
            ("bad operation search", _ => Request(HttpMethod.Get, "/api/operations?state=lost")),
            ("deliveries", _ => Request(HttpMethod.Get, "/api/deliveries?integration=zapier")),
            ("unknown delivery body (admin key)", _ => Request(HttpMethod.Get, $"/api/deliveries/{unknown}/body", key: GatewayHost.AdminKey)),
            ("integration figures", _ => Request(HttpMethod.Get, "/api/integrations/figures")),
        ]);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        await AssertQueuesDrainedAsync();
    }

    [Fact]
    public async Task Retention_timer_invocation_runs_the_sweep_in_the_worker()
    {
        var integration = $"timer{Guid.NewGuid():N}";
        await Retention.RetentionStorage.RecordAsync(fixture.Pipeline.Azurite, integration, DateTimeOffset.UtcNow - TimeSpan.FromDays(2), 3, "old");

        var response = await Worker.InvokeTimerAsync("RetentionSweep");

        Assert.Equal(Rpc.StatusResult.Types.Status.Success, response.Result.Status);
        Assert.Empty(await Retention.RetentionStorage.IdentitiesAsync(fixture.Pipeline.Azurite, integration));
    }

    /// <summary>Sends each step to the standalone host, then to the worker (each request built per host), and lists how the answers differ.</summary>
    private async Task<List<string>> CompareAsync(GatewayHost standalone, (string Name, Func<string, HttpRequestMessage> Request)[] steps, Action<string, int, Answer>? inspect = null)
    {
        using var standaloneClient = new HttpClient { BaseAddress = standalone.BaseAddress };
        using var workerClient = new HttpClient { BaseAddress = Worker.BaseAddress };
        var differences = new List<string>();
        for (var i = 0; i < steps.Length; i++)
        {
            var (name, build) = steps[i];
            using var first = build("standalone");
            using var second = build("worker");
            var expected = await SendAsync(standaloneClient, first);
            var actual = await SendAsync(workerClient, second);
            output.WriteLine($"{name}: standalone {expected.Status} {expected.MediaType}, worker {actual.Status} {actual.MediaType} {Shorten(actual.Body)}");
            inspect?.Invoke("standalone", i, expected);
            inspect?.Invoke("worker", i, actual);
            differences.AddRange(Differences(name, expected, actual));
        }
        return differences;
    }

    private static IEnumerable<string> Differences(string name, Answer expected, Answer actual)
    {
        if (actual.AnsweredByHost is not null)
        {
            yield return $"{name}: the host answered {actual.Status} ({actual.AnsweredByHost}) without invoking the worker";
            yield break;
        }
        if (expected.Status != actual.Status || expected.MediaType != actual.MediaType)
        {
            yield return $"{name}: standalone {expected.Status} {expected.MediaType}, worker {actual.Status} {actual.MediaType}: {Shorten(actual.Body)}";
            yield break;
        }
        var expectedJson = TryParse(expected.Body);
        var actualJson = TryParse(actual.Body);
        if (expectedJson is null || actualJson is null)
        {
            if (expected.Body.Length != actual.Body.Length)
            {
                yield return $"{name}: bodies of {expected.Body.Length} and {actual.Body.Length} characters";
            }
            yield break;
        }
        foreach (var field in new[] { "type", "title", "status", "code" })
        {
            if (expectedJson[field]?.ToJsonString() != actualJson[field]?.ToJsonString())
            {
                yield return $"{name}: {field} {expectedJson[field]?.ToJsonString()} vs {actualJson[field]?.ToJsonString()}";
            }
        }
        if (Shape(expectedJson) != Shape(actualJson))
        {
            yield return $"{name}: body shape\n  standalone {Shape(expectedJson)}\n  worker     {Shape(actualJson)}";
        }
    }

    /// <summary>The body's structure without its values: property names, nesting, and the kind of each value.</summary>
    private static string Shape(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{Shape(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join("|", a.Select(Shape).Distinct()) + "]",
        JsonValue v => v.GetValueKind().ToString(),
        _ => "?",
    };

    private static JsonNode? TryParse(string body)
    {
        try
        {
            return body.Length == 0 ? null : JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static async Task<Answer> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using var timeout = new CancellationTokenSource(WorkerHost.InvocationTimeout);
        using var response = await client.SendAsync(request, timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        var answeredByHost = response.Headers.TryGetValues(WorkerHost.AnsweredByHostHeader, out var values) ? values.First() : null;
        return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, answeredByHost,
            response.Headers.TryGetValues("X-Content-Type-Options", out var sniff) && sniff.Contains("nosniff"));
    }

    /// <summary><see cref="Eventually.WaitForAsync"/>, failing with what the worker reported (failed invocations, its output).</summary>
    private async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        try
        {
            return await Eventually.WaitForAsync(probe, done, what, timeout);
        }
        catch (TimeoutException exception)
        {
            var output = Worker.Output;
            throw new TimeoutException($"{exception.Message}\nqueue messages completed: {Worker.QueueMessagesCompleted}; failed invocations:\n{string.Join("\n", Worker.InvocationFailures.Distinct().Take(20))}\nworker output (end):\n{output[Math.Max(0, output.Length - 4000)..]}", exception);
        }
    }

    private async Task AssertQueuesDrainedAsync()
    {
        var queues = new OperationQueues(fixture.Pipeline.Azurite.CreateQueueServiceClient());
        foreach (var queue in queues.All)
        {
            await WaitForAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0, $"{queue.Name} drained");
        }
        Assert.Empty(Worker.InvocationFailures);
        AssertNoSecretIn(Worker.Output);
    }

    private static void AssertNoSecretIn(string text)
    {
        foreach (var secret in HookGateway.AllSecrets.Append(SimulatorFixture.AdminToken).Append(WorkerHost.FunctionKey).Append(WorkerHost.MasterKey))
        {
            var at = text.IndexOf(secret, StringComparison.Ordinal);
            if (at >= 0)
            {
                // The line around it, with the secret masked, so the failure itself leaks nothing.
                var start = text.LastIndexOf('\n', at) + 1;
                var end = text.IndexOf('\n', at);
                var line = text[start..(end < 0 ? text.Length : end)].Replace(secret, "***", StringComparison.Ordinal);
                Assert.Fail($"a secret ({secret.Length} characters) is in the worker's output: {line}");
            }
        }
    }

    private static async Task<JsonNode> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? key = GatewayHost.ApiKey)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }
        return request;
    }

    private static HttpRequestMessage Json(string path, string json, string? key = GatewayHost.ApiKey) => File(path, json, "application/json", key);

    private static HttpRequestMessage File(string path, string content, string contentType, string? key = GatewayHost.ApiKey)
    {
        var request = Request(HttpMethod.Post, path, key);
        request.Content = new StringContent(content, Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return request;
    }

    private static HttpRequestMessage Hook(string path, string json, Dictionary<string, string> headers)
    {
        var request = Json(path, json, key: null);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    private static string Sign(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
