using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Hooks;
using Libromi.Gateway.EndToEnd.Imports;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.EndToEnd.Trail;
using Libromi.Gateway.Status;
using Libromi.Gateway.Trail;
using Libromi.Simulator.Faults;
using Xunit.Abstractions;

namespace Libromi.Gateway.EndToEnd.Operations;

/// <summary>The status page over HTTP, and in real headless Chromium driven by playwright-core.</summary>
public sealed class StatusPageTests(PipelineFixture fixture, ITestOutputHelper output) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Root_redirects_to_a_self_contained_status_page()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = gateway.BaseAddress };

        var root = await client.GetAsync("/");
        var page = await client.GetAsync("/status");

        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/status", root.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_json_shows_lanes_rate_limit_circuit_and_throughput_without_operation_data()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        await gateway.PostJsonAsync("/api/contacts", """{"phone_number": "+447700900971", "attributes": {"a": 1}}""");
        await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactsAsync(), c => c.Count == 1, "the contact delivered");
        using var anonymous = new HttpClient { BaseAddress = gateway.BaseAddress };

        var status = await Eventually.WaitForAsync(async () => (await anonymous.GetFromJsonAsync<JsonObject>("/api/status"))!,
            s => s["throughput"]!.AsArray().Sum(p => p!["delivered"]!.GetValue<long>()) == 1, "the delivery in the throughput series");

        Assert.Equal(["realtime", "bulk"], status["lanes"]!.AsArray().Select(l => l!["name"]!.GetValue<string>()));
        Assert.Equal(100, status["rate_limit"]!["per_minute"]!.GetValue<int>());
        Assert.True(status["rate_limit"]!["used_last_minute"]!.GetValue<long>() >= 1);
        Assert.Equal("closed", status["circuit"]!["state"]!.GetValue<string>());
        Assert.Equal(30, status["throughput"]!.AsArray().Count);
        // Nothing was imported here (ResetAsync clears the list of running imports).
        Assert.Empty(status["imports"]!.AsArray());
        Assert.Equal(0, status["imports_not_shown"]!.GetValue<int>());
        Assert.DoesNotContain("447700900971", status.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_queued_while_nothing_is_sending_is_listed_with_its_total_until_its_rows_are_delivered()
    {
        string importId;
        await using (var paused = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, configureServices: GatewayHost.WithoutDrain))
        {
            importId = await UploadAsync(paused, "447700900961", "447700900962", "447700900963");

            var status = await GetStatusAsync(paused);

            var listed = Assert.Single(status["imports"]!.AsArray())!;
            Assert.Equal((importId, "queued", 3, 0),
                (listed["id"]!.GetValue<string>(), listed["status"]!.GetValue<string>(), listed["total"]!.GetValue<int>(), listed["done"]!.GetValue<int>()));
            Assert.Equal(0, status["imports_not_shown"]!.GetValue<int>());
            Assert.True(status["storage_reachable"]!.GetValue<bool>());
            Assert.DoesNotContain("7700900961", status.ToJsonString(), StringComparison.Ordinal);
        }

        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactsAsync(), c => c.Count == 3, "the three rows delivered");
        await Eventually.WaitForAsync(() => GetStatusAsync(gateway), s => s["imports"]!.AsArray().Count == 0, "the finished import off the list");

        Assert.Equal("completed", (await gateway.GetProgressAsync("/api/imports/" + importId))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Status_shows_the_newest_ten_running_imports_and_counts_the_rest()
    {
        await using var paused = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, configureServices: GatewayHost.WithoutDrain);
        var imported = new List<string>();
        for (var i = 0; i < StatusReporter.ImportsShown + 2; i++)
        {
            imported.Add(await UploadAsync(paused, $"4477009008{i:00}"));
        }

        var status = await GetStatusAsync(paused);

        Assert.Equal(imported.AsEnumerable().Reverse().Take(StatusReporter.ImportsShown), status["imports"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal(2, status["imports_not_shown"]!.GetValue<int>());
    }

    [Fact]
    public async Task Status_still_answers_while_storage_is_down_and_lists_the_import_again_once_it_is_back()
    {
        await using var paused = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, configureServices: GatewayHost.WithoutDrain);
        var importId = await UploadAsync(paused, "447700900941");

        await fixture.Azurite.StopAsync();
        JsonObject during;
        try
        {
            during = await GetStatusAsync(paused);
        }
        finally
        {
            await fixture.Azurite.StartAsync();
        }
        var after = await Eventually.WaitForAsync(() => GetStatusAsync(paused), s => s["storage_reachable"]!.GetValue<bool>(), "storage reachable again");

        Assert.False(during["storage_reachable"]!.GetValue<bool>());
        Assert.Empty(during["imports"]!.AsArray());
        Assert.Equal(importId, Assert.Single(after["imports"]!.AsArray())!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Operator_unlocks_dead_letters_with_the_admin_key_sees_the_reason_and_replays_it_in_chromium()
    {
        Assert.True(File.Exists(ChromiumPath), $"Chromium is not installed at {ChromiumPath}: apt-get install -y chromium (.ci/run does).");
        var script = Path.Combine(RepositoryRoot.Path, "tests", "Gateway.EndToEnd.Tests", "Operations", "status-page.mjs");
        Assert.True(Directory.Exists(Path.Combine(RepositoryRoot.Path, "node_modules", "playwright-core")), "playwright-core is not installed: run 'npm ci' at the repository root.");

        var importId = await ImportWithTwoOfThreeRowsDeliveredAsync();
        await fixture.Simulator.Inspector.SetFaultsAsync(new FaultSettings { ServerErrorRate = 1.0 });
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?> { ["Processing:MaxAttempts"] = "1" });
        using var admin = AdminClient.For(gateway);
        await gateway.PostJsonAsync("/api/contacts", """{"phone_number": "+447700900981", "attributes": {"plan": "gold"}}""");
        var deadLetter = (await Eventually.WaitForAsync(() => admin.ListAsync(), i => i.Count == 1, "one dead letter"))[0]!;
        var id = deadLetter["id"]!.GetValue<string>();
        // Libromi recovers; a little traffic gives the chart something to draw.
        await fixture.Simulator.Inspector.SetFaultsAsync(FaultSettings.None);
        for (var i = 0; i < 3; i++)
        {
            await gateway.PostJsonAsync("/api/contacts", $$$"""{"phone_number": "+44770090099{{{i}}}", "attributes": {"n": {{{i}}}}}""");
        }
        await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactsAsync(), c => c.Count(x => x.Attributes.ContainsKey("n")) == 3, "three deliveries");

        var screenshot = Path.Combine(Path.GetTempPath(), $"status-page-{Guid.NewGuid():N}.png");
        var (exitCode, log) = await RunNodeAsync(script, gateway.BaseAddress.ToString(), GatewayHost.AdminKey, id, "Gave up after 1", importId, "2 of 3", screenshot);
        output.WriteLine(log);

        Assert.True(exitCode == 0, $"The browser check failed:\n{log}");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(screenshot)[..4]);
        var contact = await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactAsync("+447700900981"),
            c => c is not null && c.Attributes.ContainsKey("plan"), "the replayed operation delivered");
        Assert.Equal("gold", contact!.Attributes["plan"].GetString());
        Assert.Empty(await admin.ListAsync());
        if (Environment.GetEnvironmentVariable("GATEWAY_UPDATE_SCREENSHOTS") == "1")
        {
            File.Copy(screenshot, Path.Combine(RepositoryRoot.Path, "docs", "images", "status-page.png"), overwrite: true);
        }
        File.Delete(screenshot);
    }

    [Fact]
    public async Task Operator_with_the_api_key_finds_an_operations_story_a_refused_delivery_and_the_figures_and_stored_markup_stays_text_in_chromium()
    {
        Assert.True(File.Exists(ChromiumPath), $"Chromium is not installed at {ChromiumPath}: apt-get install -y chromium (.ci/run does).");
        var script = Path.Combine(RepositoryRoot.Path, "tests", "Gateway.EndToEnd.Tests", "Operations", "status-search.mjs");
        Assert.True(Directory.Exists(Path.Combine(RepositoryRoot.Path, "node_modules", "playwright-core")), "playwright-core is not installed: run 'npm ci' at the repository root.");
        await using var gateway = await HookGateway.StartAsync(fixture, new() { ["Figures:FlushInterval"] = "00:00:01" });
        const string Hostile = "<img src=x onerror=window.__xss=1>";
        // A sender chooses its Content-Type header, and the delivery log keeps it: the page must show it as text.
        var hostileId = await PostWithContentTypeAsync(gateway, "zapier", $"text/plain; charset=\"{Hostile}\"");
        var traffic = await ZapierTraffic.SendAsync(gateway);
        await gateway.WaitForStateAsync(traffic.RejectedOperationId, OperationStates.DeadLettered);
        await gateway.WaitForStateAsync(traffic.DeliveredOperationId, OperationStates.Delivered);
        // The delivery log writes in batches: until its batch is stored the delivery answers 404.
        var refused = await Eventually.WaitForAsync(() => LoggedDeliveryAsync(gateway, traffic.RefusedDeliveryId),
            d => d is not null, "the refused delivery logged");
        await Eventually.WaitForAsync(() => gateway.Client.GetStringAsync("/api/integrations/figures"),
            t => t.Contains("\"dead_lettered\":1", StringComparison.Ordinal) && t.Contains("\"delivered\":1", StringComparison.Ordinal), "the outcomes in the figures");

        var expectations = new JsonObject
        {
            ["phone"] = traffic.RejectedPhone,
            ["operationId"] = traffic.RejectedOperationId,
            ["statusCode"] = 422,
            ["refusedDeliveryId"] = traffic.RefusedDeliveryId,
            ["refusedReason"] = refused!["verification_reason"]!.GetValue<string>(),
            ["hostileDeliveryId"] = hostileId,
            ["hostileText"] = Hostile,
            ["integration"] = "zapier",
            ["figures"] = new JsonObject
            {
                ["received"] = 6,
                ["delivered"] = 1,
                ["dead_lettered"] = 1,
                ["refused"] = new JsonArray("duplicate 1", "malformed 2", "unverified 1"),
                ["last_error"] = "dead-lettered rejected (HTTP 422)",
            },
        };
        var (exitCode, log) = await RunNodeAsync(script, gateway.BaseAddress.ToString(), GatewayHost.ApiKey, expectations.ToJsonString());
        output.WriteLine(log);

        Assert.True(exitCode == 0, $"The browser check failed:\n{log}");
    }

    private static async Task<JsonObject?> LoggedDeliveryAsync(GatewayHost gateway, string deliveryId)
    {
        using var response = await gateway.Client.GetAsync($"/api/deliveries/{deliveryId}");
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadFromJsonAsync<JsonObject>();
    }

    private static async Task<string> PostWithContentTypeAsync(GatewayHost gateway, string integration, string contentType)
    {
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/hooks/{integration}") { Content = new ByteArrayContent("hello"u8.ToArray()) };
        Assert.True(request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType));
        request.Headers.TryAddWithoutValidation("X-Api-Key", HookGateway.ZapierToken);
        request.Headers.TryAddWithoutValidation("X-Request-Id", Guid.NewGuid().ToString());
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        return response.Headers.GetValues(Webhooks.WebhooksApi.DeliveryIdHeader).Single();
    }

    /// <summary>
    /// An import that stays running at 2 of 3 rows: one row a message, one message held by a worker (hidden for 10
    /// minutes), the other two delivered by a gateway that then stops. No message of it is left for the next gateway.
    /// </summary>
    private async Task<string> ImportWithTwoOfThreeRowsDeliveredAsync()
    {
        string importId;
        await using (var uploader = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator,
            new Dictionary<string, string?> { ["Imports:RowsPerMessage"] = "1" }, GatewayHost.WithoutDrain))
        {
            importId = await UploadAsync(uploader, "447700900951", "447700900952", "447700900953");
            var held = await uploader.Queues.Bulk.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(10));
            Assert.Single(held.Value);
        }
        await using (var sender = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator))
        {
            await sender.WaitForProgressAsync("/api/imports/" + importId, p => p["delivered"]!.GetValue<long>() == 2, "two of the three rows delivered");
        }
        return importId;
    }

    private static async Task<string> UploadAsync(GatewayHost gateway, params string[] phoneNumbers)
    {
        using var response = await gateway.PostFileAsync("phone_number\n" + string.Concat(phoneNumbers.Select(p => p + "\n")));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.ReadJsonAsync())["import_id"]!.GetValue<string>();
    }

    private static async Task<JsonObject> GetStatusAsync(GatewayHost gateway)
    {
        using var anonymous = new HttpClient { BaseAddress = gateway.BaseAddress };
        return (await anonymous.GetFromJsonAsync<JsonObject>("/api/status"))!;
    }

    private static async Task<(int ExitCode, string Log)> RunNodeAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (log) { log.AppendLine("(killed after 120 s)"); }
        }
        lock (log)
        {
            return (process.ExitCode, log.ToString());
        }
    }
}
