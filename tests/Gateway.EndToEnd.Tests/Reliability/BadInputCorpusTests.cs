using Azure.Data.Tables;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Hooks;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Imports;
using Microsoft.AspNetCore.Routing;
using Xunit.Abstractions;

namespace Libromi.Gateway.EndToEnd.Reliability;

/// <summary>
/// A corpus of hostile requests generated from templates, across every public route: each gets a 4xx
/// problem+json (never a 5xx), no secret is echoed, and at the end nothing was enqueued, staged or sent.
/// </summary>
public sealed class BadInputCorpusTests(PipelineFixture fixture, ITestOutputHelper output) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Every_hostile_request_gets_a_4xx_problem_and_leaves_no_trace()
    {
        var cases = BadInputCorpus.Cases().Where(c => c.Kind != BadInputCorpus.InvalidText).ToList();
        Assert.True(cases.Count >= 200, $"the corpus should hold at least 200 cases, has {cases.Count}");
        await RunAsync("bad-input corpus", cases, includeEveryRoute: true);
    }

    /// <summary>
    /// JSON string values that are not valid text (invalid UTF-8 bytes, a lone surrogate escape) used to be decoded
    /// only when mapping code read them, which threw and answered 500; the parsers now check every string up front
    /// (<c>JsonText.FindInvalidString</c>) and answer 400 like any other malformed JSON.
    /// </summary>
    [Fact]
    public async Task Json_strings_with_invalid_UTF8_or_a_lone_surrogate_get_a_400_problem_not_a_500()
    {
        await RunAsync("bad-input corpus, invalid text in JSON strings", [.. BadInputCorpus.Cases().Where(c => c.Kind == BadInputCorpus.InvalidText)]);
    }

    private async Task RunAsync(string title, IReadOnlyList<BadInputCorpus.Case> written, bool includeEveryRoute = false)
    {
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture, new Dictionary<string, string?>(BadInputCorpus.Settings));
        var routes = includeEveryRoute ? MappedRoutes(gateway) : [];
        List<BadInputCorpus.Case> cases = [.. written, .. routes.SelectMany(r => BadInputCorpus.EveryRouteCases(r.Method, r.Template))];
        var failures = new List<string>();
        var bodies = new List<string>();
        var statuses = new SortedDictionary<int, int>();

        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        foreach (var c in cases)
        {
            Answer answer;
            try
            {
                answer = await SendAsync(client, gateway.BaseAddress, c);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                failures.Add($"{c.Name}: no answer ({exception.Message})");
                continue;
            }
            var status = answer.Status;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            bodies.Add(answer.Body);
            var allowed = status is >= 400 and <= 499 || (c.MaySucceed && status is >= 200 and <= 399);
            var serverLevel = c.Kind == BadInputCorpus.ServerLevel;
            if (!allowed)
            {
                failures.Add($"{c.Name}: {c.Method} {BadInputCorpus.Shorten(c.Path)} answered {status}: {BadInputCorpus.Shorten(answer.Body)}");
            }
            else if (status >= 400 && !serverLevel && answer.MediaType is not null && (answer.MediaType != "application/problem+json" || !BadInputCorpus.IsProblem(answer.Body)))
            {
                failures.Add($"{c.Name}: {c.Method} {BadInputCorpus.Shorten(c.Path)} answered {status} with {answer.MediaType}: {BadInputCorpus.Shorten(answer.Body)}");
            }
            else if (status >= 400 && !serverLevel && c.Host is null && answer.MediaType is null)
            {
                // Kestrel refuses some Host headers with a bare 400 before the app runs; every other refusal is a problem.
                failures.Add($"{c.Name}: {c.Method} {BadInputCorpus.Shorten(c.Path)} answered {status} without a problem body");
            }
            else if (!answer.NoSniff && !(serverLevel || (c.Host is not null && answer.MediaType is null)))
            {
                failures.Add($"{c.Name}: {c.Method} {BadInputCorpus.Shorten(c.Path)} answered {status} without X-Content-Type-Options: nosniff");
            }
        }
        if (includeEveryRoute)
        {
            // Routes of every kind (keyed, admin, anonymous webhook) must be among them, or the enumeration broke.
            Assert.Contains(new Route("POST", "/api/contacts"), routes);
            Assert.Contains(new Route("POST", "/api/hooks/{integration}"), routes);
            Assert.Contains(new Route("DELETE", "/api/dead-letters/{id}"), routes);
        }

        using var health = await gateway.Client.GetAsync("/api/health");
        var healthAfter = (int)health.StatusCode;
        var queued = await SecretScan.PeekQueueMessagesAsync(gateway);
        var importsStaged = await CountImportEntitiesAsync();
        var sentToLibromi = (await fixture.Simulator.Inspector.GetRequestsAsync()).Count;
        var deadLetters = await gateway.PeekDeadLettersAsync();
        string[] secrets = [.. HookGateway.AllSecrets, SimulatorFixture.AdminToken, GatewayHost.ApiKey, GatewayHost.AdminKey];
        var secretsFound = await SecretScan.FindAsync(gateway, secrets, bodies);

        ReliabilityFigures.Report(output, title,
        [
            ("cases tried", cases.Count), ("failures", failures.Count),
            ("answers", string.Join(" ", statuses.Select(s => $"{s.Key}x{s.Value}"))),
            ("server-level refusals (bare 400 from Kestrel)", cases.Count(c => c.Kind == BadInputCorpus.ServerLevel)),
            ("of which generated for every mapped route", cases.Count - written.Count), ("mapped routes", routes.Count),
            ("operations enqueued", queued.Count), ("imports staged", importsStaged), ("calls to Libromi", sentToLibromi),
            ("dead-lettered", deadLetters.Count), ("secrets found", secretsFound.Count), ("health after the corpus", healthAfter),
        ]);
        foreach (var failure in failures)
        {
            output.WriteLine("FAIL " + failure);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join("\n", failures));
        Assert.Equal(200, healthAfter);
        Assert.Empty(queued);
        Assert.Equal(0, importsStaged);
        Assert.Equal(0, sentToLibromi);
        Assert.Empty(deadLetters);
        Assert.True(secretsFound.Count == 0, "secrets found:\n" + string.Join("\n", secretsFound));
    }

    private sealed record Route(string Method, string Template)
    {
        public override string ToString() => $"{Method} {Template}";
    }

    /// <summary>Every method and route the host maps, read from its endpoint data source: a new route joins the corpus by existing.</summary>
    private static List<Route> MappedRoutes(GatewayHost gateway) =>
    [
        .. gateway.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => new Route(m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct(),
    ];

    private sealed record Answer(int Status, string? MediaType, string Body, bool NoSniff);

    /// <summary>Through HttpClient, or over raw TCP when the case sends a Host header HttpClient would replace.</summary>
    private static async Task<Answer> SendAsync(HttpClient client, Uri baseAddress, BadInputCorpus.Case c)
    {
        if (c.Host is not null)
        {
            using var model = BadInputCorpus.ToRequest(c);
            var headers = model.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value));
            if (model.Content?.Headers.ContentType is { } contentType)
            {
                headers["Content-Type"] = contentType.ToString();
            }
            var raw = await RawHttp.SendAsync(baseAddress, c.Method.Method, c.Path, c.Host, headers, c.Body);
            return new Answer(raw.Status, raw.ContentType, raw.Body, raw.Headers.TryGetValue("X-Content-Type-Options", out var sniff) && sniff == "nosniff");
        }

        using var request = BadInputCorpus.ToRequest(c);
        using var response = await client.SendAsync(request);
        return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(),
            response.Headers.TryGetValues("X-Content-Type-Options", out var values) && values.Contains("nosniff"));
    }

    private async Task<int> CountImportEntitiesAsync()
    {
        var table = new TableServiceClient(fixture.Azurite.ConnectionString).GetTableClient(ImportTable.TableName);
        await table.CreateIfNotExistsAsync();
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            count++;
        }
        return count;
    }
}
