using Azure.Data.Tables;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Hooks;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Imports;
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
        await RunAsync("bad-input corpus", cases);
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

    private async Task RunAsync(string title, IReadOnlyList<BadInputCorpus.Case> cases)
    {
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture, new Dictionary<string, string?>(BadInputCorpus.Settings));
        var failures = new List<string>();
        var bodies = new List<string>();
        var statuses = new SortedDictionary<int, int>();

        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        foreach (var c in cases)
        {
            using var request = BadInputCorpus.ToRequest(c);

            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request);
            }
            catch (HttpRequestException exception)
            {
                failures.Add($"{c.Name}: no answer ({exception.Message})");
                continue;
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                var body = await response.Content.ReadAsStringAsync();
                bodies.Add(body);
                var mediaType = response.Content.Headers.ContentType?.MediaType;
                if (status is < 400 or > 499)
                {
                    failures.Add($"{c.Name}: {c.Method} {BadInputCorpus.Shorten(c.Path)} answered {status}: {BadInputCorpus.Shorten(body)}");
                }
                else if (c.Kind != BadInputCorpus.ServerLevel && (mediaType != "application/problem+json" || !BadInputCorpus.IsProblem(body)))
                {
                    failures.Add($"{c.Name}: {c.Method} {BadInputCorpus.Shorten(c.Path)} answered {status} with {mediaType ?? "no content type"}: {BadInputCorpus.Shorten(body)}");
                }
            }
        }

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
            ("operations enqueued", queued.Count), ("imports staged", importsStaged), ("calls to Libromi", sentToLibromi),
            ("dead-lettered", deadLetters.Count), ("secrets found", secretsFound.Count),
        ]);
        foreach (var failure in failures)
        {
            output.WriteLine("FAIL " + failure);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join("\n", failures));
        Assert.Empty(queued);
        Assert.Equal(0, importsStaged);
        Assert.Equal(0, sentToLibromi);
        Assert.Empty(deadLetters);
        Assert.True(secretsFound.Count == 0, "secrets found:\n" + string.Join("\n", secretsFound));
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
