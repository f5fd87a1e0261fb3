using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Azure.Data.Tables;
using Libromi.Gateway.DeadLetters;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.Queueing;
using Libromi.Simulator.Faults;
using Libromi.Simulator.Scenarios;
using Xunit.Abstractions;

namespace Libromi.Gateway.EndToEnd.Reliability;

/// <summary>
/// The standalone host as a real separate process, SIGKILLed mid-drain and started again: nothing accepted is
/// lost, and the only duplicates are calls that were in flight when it died.
/// </summary>
public sealed class CrashRecoveryTests(ReliabilityFixture fixture, ITestOutputHelper output) : IClassFixture<ReliabilityFixture>
{
    // Scaled down from the 2,000 for CI time: at the validated maximum of 100 requests a minute, 2,000
    // operations take 20 minutes; 150 still need a second minute window, so the kill always lands mid-drain.
    private const int Operations = 150;

    // host.json batchSize 16 + newBatchThreshold 8: the most groups one instance runs at once (every contact here is
    // distinct, so each group is one message and one call), so the most calls a crash can leave made but unacknowledged.
    private const int InFlightBound = 16 + 8;

    [Fact]
    public async Task Killed_host_loses_no_accepted_operation_and_repeats_at_most_the_calls_in_flight()
    {
        await fixture.ResetAsync();
        // Each call takes 0.8 s at Libromi, so the kill lands while up to 24 calls are on the wire, not between them.
        await fixture.Simulator.Inspector.SetFaultsAsync(new FaultSettings { LatencyMs = 800 });
        var port = AzuriteFixture.FreePort();
        var first = StandaloneProcess.Start(fixture, port);
        StandaloneProcess? second = null;
        try
        {
            await first.WaitUntilLiveAsync();
            using var client = new HttpClient { BaseAddress = first.BaseAddress };
            client.DefaultRequestHeaders.Add("x-functions-key", GatewayHost.ApiKey);

            var accepted = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, Operations), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var content = new StringContent(ReliabilityFixture.ContactJson(ReliabilityFixture.Phone(1, i), i, "crash"));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await client.PostAsync("/api/contacts", content, ct);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                Interlocked.Increment(ref accepted);
            });

            // Mid-drain: some delivered, the rest still queued or in flight.
            await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetRequestsAsync(), r => r.Count(x => x.StatusCode == 200) >= 40,
                "40 deliveries before the kill", TimeSpan.FromSeconds(60));
            first.Kill();
            var deliveredAtKill = (await fixture.Simulator.Inspector.GetRequestsAsync()).Count(x => x.StatusCode == 200);
            Assert.True(deliveredAtKill < Operations, $"the kill should land mid-drain, but {deliveredAtKill} of {Operations} were delivered");

            second = StandaloneProcess.Start(fixture, port);
            await second.WaitUntilLiveAsync();

            var contacts = await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactsAsync(),
                c => c.Count(x => x.Attributes.ContainsKey("seq")) >= Operations, $"all {Operations} contacts updated", TimeSpan.FromSeconds(150));
            var requests = await fixture.Simulator.Inspector.GetRequestsAsync();
            var updates = ReliabilityFixture.SuccessfulUpdatesByPhone(requests);
            var lost = Enumerable.Range(0, Operations).Count(i =>
                contacts.SingleOrDefault(c => c.PhoneNumber == ReliabilityFixture.Phone(1, i))?.Attributes.TryGetValue("seq", out var seq) != true
                || seq.GetInt32() != i);
            var duplicated = updates.Values.Sum(n => n - 1);
            var deadLettered = await CountDeadLettersAsync();
            await Eventually.WaitForAsync(QueuedMessagesAsync, n => n == 0, "the realtime queue to empty", TimeSpan.FromSeconds(30));

            ReliabilityFigures.Report(output, "crash (SIGKILL mid-drain, restart)",
            [
                ("operations sent", Operations), ("accepted (202)", accepted), ("delivered before kill", deliveredAtKill),
                ("calls cut off by the kill", requests.Count(r => r.ClientAborted)),
                ("delivered", updates.Count), ("lost", lost), ("duplicated", duplicated), ("duplicate bound", InFlightBound),
                ("dead-lettered", deadLettered), ("max admitted in any 60 s", ReliabilityFixture.MaxInAnyMinute(requests)),
            ]);
            Assert.Equal(Operations, accepted);
            Assert.Equal(0, lost);
            Assert.Equal(Operations, updates.Count);
            Assert.InRange(duplicated, 0, InFlightBound);
            Assert.Equal(0, deadLettered);
            // The rate ledger is in storage, so it holds across the crash and the restart.
            Assert.InRange(ReliabilityFixture.MaxInAnyMinute(requests), 1, 100);

            // The child processes log at Information: their console output must not hold the token either.
            Assert.False(SecretScan.ContainsAny(first.Output + second.Output, [SimulatorFixture.AdminToken]), "the Libromi token appeared in the host's console output");
        }
        finally
        {
            output.WriteLine("--- first host ---\n" + Tail(first.Output));
            first.Dispose();
            if (second is not null)
            {
                output.WriteLine("--- restarted host ---\n" + Tail(second.Output));
                second.Dispose();
            }
        }
    }

    /// <summary>
    /// With every timing at its production default (message hold 30 s, drain term 15 s, backstop 30 s): three hosts,
    /// the one draining SIGKILLed mid-drain. What it held is sent by a survivor within about a minute, so the whole
    /// backlog is delivered within two minute windows of the ideal drain time, never over the limit and without a 429.
    /// </summary>
    [Fact]
    public async Task Killed_draining_host_with_production_timings_hands_its_backlog_to_a_survivor_within_two_windows()
    {
        await fixture.ResetAsync();
        // Each call takes 0.8 s at Libromi, so the kill lands while the first window's calls are on the wire and the
        // rest are held, not after the burst.
        await fixture.Simulator.Inspector.SetFaultsAsync(new FaultSettings { LatencyMs = 800 });
        var ports = AzuriteFixture.FreePorts(3);
        var doomed = StandaloneProcess.Start(fixture, ports[0], productionDefaults: true);
        StandaloneProcess? second = null, third = null;
        try
        {
            await doomed.WaitUntilLiveAsync();
            using var client = new HttpClient { BaseAddress = doomed.BaseAddress };
            client.DefaultRequestHeaders.Add("x-functions-key", GatewayHost.ApiKey);
            var started = DateTimeOffset.UtcNow;
            await Parallel.ForEachAsync(Enumerable.Range(0, Operations), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var content = new StringContent(ReliabilityFixture.ContactJson(ReliabilityFixture.Phone(2, i), i, "production"));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await client.PostAsync("/api/contacts", content, ct);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            });
            // The first host took the drain with the first wake; the others start while it sends.
            second = StandaloneProcess.Start(fixture, ports[1], productionDefaults: true);
            third = StandaloneProcess.Start(fixture, ports[2], productionDefaults: true);
            await Task.WhenAll(second.WaitUntilLiveAsync(), third.WaitUntilLiveAsync());
            await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetRequestsAsync(), r => r.Count(x => x.StatusCode == 200) >= 40,
                "40 deliveries before the kill", TimeSpan.FromSeconds(60));
            doomed.Kill();
            var killedAt = DateTimeOffset.UtcNow;
            var deliveredAtKill = (await fixture.Simulator.Inspector.GetRequestsAsync()).Count(x => x.StatusCode == 200);
            Assert.True(deliveredAtKill < Operations, $"the kill should land mid-drain, but {deliveredAtKill} of {Operations} were delivered");

            // 150 at 100 a minute: the ideal drain is 90 s; two windows more is the bound.
            var ideal = TimeSpan.FromMinutes(Operations / 100.0);
            var bound = ideal + TimeSpan.FromMinutes(2);
            var contacts = await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactsAsync(),
                c => c.Count(x => x.Attributes.ContainsKey("seq") && x.PhoneNumber.StartsWith(ReliabilityFixture.Phone(2, 0)[..7], StringComparison.Ordinal)) >= Operations,
                $"all {Operations} contacts updated", bound + TimeSpan.FromSeconds(30));
            var drained = DateTimeOffset.UtcNow - started;
            var requests = await fixture.Simulator.Inspector.GetRequestsAsync();
            var firstAfterKill = requests.Where(r => r.StatusCode == 200 && r.ReceivedAt > killedAt).Select(r => r.ReceivedAt).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();

            ReliabilityFigures.Report(output, "crash with production timings (3 hosts, the draining one SIGKILLed)",
            [
                ("operations", Operations), ("delivered before kill", deliveredAtKill),
                ("seconds from kill to the next delivery", (int)(firstAfterKill - killedAt).TotalSeconds),
                ("seconds to drain everything", (int)drained.TotalSeconds), ("ideal seconds", (int)ideal.TotalSeconds), ("bound seconds", (int)bound.TotalSeconds),
                ("429 answers", requests.Count(r => r.StatusCode == 429)), ("max admitted in any 60 s", ReliabilityFixture.MaxInAnyMinute(requests)),
            ]);
            Assert.True(drained <= bound, $"the backlog took {drained.TotalSeconds:F0} s to drain; the bound is {bound.TotalSeconds:F0} s");
            Assert.DoesNotContain(requests, r => r.StatusCode == 429);
            Assert.InRange(ReliabilityFixture.MaxInAnyMinute(requests), 1, 100);
        }
        finally
        {
            output.WriteLine("--- killed host ---\n" + Tail(doomed.Output));
            doomed.Dispose();
            second?.Dispose();
            third?.Dispose();
        }
    }

    [Theory]
    [InlineData("at_most_once")]
    [InlineData("at_least_once")]
    public async Task Host_killed_after_the_scenario_received_the_post_but_before_it_answered_follows_the_delivery_setting(string delivery)
    {
        await fixture.ResetAsync();
        var hookId = "crash-" + Guid.NewGuid().ToString("N");
        // The first answer takes 20 s, the gateway waits up to 30 s: the kill lands while the POST is received and unanswered.
        await fixture.Simulator.Inspector.SetScenarioAsync(hookId, new ScenarioBehaviour(DelayMs: 20_000, DelayCount: 1));
        var settings = new Dictionary<string, string>
        {
            ["Scenarios:Definitions:order_confirmation:Secret"] = "scenario-crash",
            ["Scenarios:Definitions:order_confirmation:Delivery"] = delivery,
            ["Scenarios:Timeout"] = "00:00:30",
            ["Gateway:Secrets:scenario-crash"] = new Uri(new Uri(fixture.Simulator.BaseUrl), "/scenarios/" + hookId).AbsoluteUri,
        };
        var port = AzuriteFixture.FreePort();
        var first = StandaloneProcess.Start(fixture, port, extraSettings: settings);
        StandaloneProcess? second = null;
        try
        {
            await first.WaitUntilLiveAsync();
            using var client = new HttpClient { BaseAddress = first.BaseAddress };
            client.DefaultRequestHeaders.Add("x-functions-key", GatewayHost.ApiKey);
            var content = new StringContent("""{"scenario": "order_confirmation", "phone_number": "+91 98765 43210", "fields": {"name": "John", "order_id": "ORD-123"}}""");
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using (var response = await client.PostAsync("/api/scenario-triggers", content))
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }
            await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetScenarioAsync(hookId), s => s.Posts.Count == 1, "the POST at the scenario URL (after a killed host's drain leadership runs out)", TimeSpan.FromSeconds(90));
            first.Kill();
            Assert.Null((await fixture.Simulator.Inspector.GetScenarioAsync(hookId)).Posts[0].Status);

            // The message comes back when the dead instance's hold (Queues:MessageHold, 10 s) runs out.
            second = StandaloneProcess.Start(fixture, port, extraSettings: settings);
            await second.WaitUntilLiveAsync();
            if (delivery == "at_most_once")
            {
                await Eventually.WaitForAsync(CountDeadLettersAsync, n => n == 1, "the outcome_unknown dead letter", TimeSpan.FromSeconds(60));
                var table = new TableServiceClient(fixture.Azurite.ConnectionString).GetTableClient(DeadLetterStore.TableName);
                var reasons = new List<string?>();
                await foreach (var entity in table.QueryAsync<TableEntity>(select: ["ReasonClass"]))
                {
                    reasons.Add(entity.GetString("ReasonClass"));
                }
                Assert.Equal(["outcome_unknown"], reasons);
                await Task.Delay(TimeSpan.FromSeconds(2));
                Assert.Single((await fixture.Simulator.Inspector.GetScenarioAsync(hookId)).Posts);
            }
            else
            {
                var state = await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetScenarioAsync(hookId), s => s.Posts.Any(p => p.Status == 200),
                    "the second POST answered", TimeSpan.FromSeconds(60));
                await Task.Delay(TimeSpan.FromSeconds(2));
                Assert.Equal(2, (await fixture.Simulator.Inspector.GetScenarioAsync(hookId)).Posts.Count);
                Assert.Equal(0, await CountDeadLettersAsync());
                output.WriteLine($"{delivery}: {state.Posts.Count} POSTs");
            }
        }
        catch
        {
            output.WriteLine("first host:\n" + Tail(first.Output));
            output.WriteLine("second host:\n" + Tail(second?.Output ?? ""));
            throw;
        }
        finally
        {
            first.Dispose();
            second?.Dispose();
        }
    }

    private async Task<int> CountDeadLettersAsync()
    {
        var table = new TableServiceClient(fixture.Azurite.ConnectionString).GetTableClient(DeadLetterStore.TableName);
        await table.CreateIfNotExistsAsync();
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            count++;
        }
        return count;
    }

    private async Task<int> QueuedMessagesAsync()
    {
        var queues = new OperationQueues(fixture.Azurite.CreateQueueServiceClient());
        var total = 0;
        foreach (var queue in queues.All)
        {
            if ((await queue.ExistsAsync()).Value)
            {
                total += (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            }
        }
        return total;
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : "..." + text[^4000..];

    /// <summary><c>dotnet Libromi.Gateway.Standalone.dll</c>, built with the same configuration as this test assembly.</summary>
    private sealed class StandaloneProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private StandaloneProcess(Process process, Uri baseAddress)
        {
            _process = process;
            BaseAddress = baseAddress;
        }

        public Uri BaseAddress { get; }

        public string Output { get { lock (_output) { return _output.ToString(); } } }

        /// <param name="productionDefaults">
        /// Leave every hold, term, wait and polling setting at its default, as deployed; otherwise the short ones that make
        /// the restart test quick.
        /// </param>
        public static StandaloneProcess Start(ReliabilityFixture fixture, int port, bool productionDefaults = false, IReadOnlyDictionary<string, string>? extraSettings = null)
        {
            var dll = StandaloneDll();
            var url = $"http://127.0.0.1:{port}";
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetDirectoryName(dll)!,
            };
            start.Environment.Remove("ASPNETCORE_URLS");
            start.ArgumentList.Add(dll);
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add(url);
            var settings = new Dictionary<string, string>
            {
                ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString,
                ["Libromi:BaseUrl"] = fixture.Simulator.BaseUrl,
                ["Libromi:ApiToken"] = SimulatorFixture.AdminToken,
                ["Libromi:RequestsPerMinute"] = "100",
                ["Libromi:RequestsPerHour"] = "10000",
                ["Libromi:AttemptTimeout"] = "00:00:02",
                ["Libromi:TotalTimeout"] = "00:00:05",
                ["Gateway:ApiKey"] = GatewayHost.ApiKey,
                ["Gateway:AdminKey"] = GatewayHost.AdminKey,
                ["Processing:BackoffBase"] = "00:00:00.100",
                ["Processing:BackoffMax"] = "00:00:01",
                ["Processing:MaxRequeueDelay"] = "00:00:00.300",
                // A short hold makes a dead instance's messages visible soon; the listener renews the holds of the
                // messages it holds at half time, so a live instance keeps them however long they wait.
                ["Processing:MaxPermitWait"] = "00:00:02",
                ["Queues:MessageHold"] = "00:00:10",
                ["Queues:MaxPollingInterval"] = "00:00:00.200",
                ["Queues:VisibilityTimeout"] = "00:00:00",
                ["Logging:LogLevel:Default"] = "Information",
            };
            if (productionDefaults)
            {
                foreach (var shortened in settings.Keys.Where(key => key.StartsWith("Processing:", StringComparison.Ordinal) || key.StartsWith("Queues:", StringComparison.Ordinal)).ToArray())
                {
                    settings.Remove(shortened);
                }
            }
            foreach (var (key, value) in extraSettings ?? new Dictionary<string, string>())
            {
                settings[key] = value;
            }
            foreach (var (key, value) in settings)
            {
                start.ArgumentList.Add($"--{key}={value}");
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("The standalone host did not start.");
            var host = new StandaloneProcess(process, new Uri(url));
            process.OutputDataReceived += (_, e) => host.Append(e.Data);
            process.ErrorDataReceived += (_, e) => host.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return host;
        }

        public async Task WaitUntilLiveAsync()
        {
            using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"The standalone host exited with {_process.ExitCode}:\n{Output}");
                }
                try
                {
                    using var response = await client.GetAsync("/api/health/live");
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"The standalone host did not become live:\n{Output}");
                }
                await Task.Delay(200);
            }
        }

        /// <summary>SIGKILL: no shutdown, no acknowledgement of anything in flight.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                Kill();
            }
            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output) { _output.AppendLine(line); }
            }
        }

        private static string StandaloneDll()
        {
            // .../tests/Gateway.EndToEnd.Tests/bin/<Configuration>/<tfm>/
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = framework.Parent!.Name;
            var dll = Path.Combine(RepositoryRoot.Path, "functions", "Gateway.Standalone", "bin", configuration, framework.Name, "Libromi.Gateway.Standalone.dll");
            return File.Exists(dll)
                ? dll
                : throw new InvalidOperationException($"{dll} is missing: build the solution with -c {configuration} first.");
        }
    }
}
