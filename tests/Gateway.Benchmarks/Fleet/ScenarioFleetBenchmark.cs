using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Libromi.Gateway.Benchmarks.Harness;
using Libromi.Gateway.Benchmarks.Pipeline;
using Libromi.Simulator;

namespace Libromi.Gateway.Benchmarks.Fleet;

/// <summary>
/// Issue 18's fleet proof: several gateway instances sharing one Azurite account (so one fleet ledger with its
/// <c>account</c> and <c>scenarios</c> rows) and one simulated Libromi take a burst of contact upserts and scenario
/// triggers at the same moment, more than either lane's limit allows in a window. From the simulator's logs (arrival
/// times of accepted calls) each lane's busiest 60 s is set against its own limit, its throughput against its limit,
/// and every operation must arrive exactly once. Both lanes are printed side by side from the one run.
/// </summary>
internal static class ScenarioFleetBenchmark
{
    private const string Scenario = "bench_confirmation";
    private const string ScenarioHookId = "bench-confirmation";
    private const string SecretName = "scenario-bench-confirmation";
    private const int ContactOffset = 2_000_000;
    private const double MinRatio = 0.95;

    public static async Task RunAsync(int contactLimit, int scenarioLimit, int contacts, int triggers, int instances)
    {
        Console.WriteLine($"fleet-scenarios benchmark, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine($"settings: {instances} instances, contact limit {contactLimit}/min with {contacts} upserts, scenario limit {scenarioLimit}/min with {triggers} triggers, sent together");
        Console.WriteLine();

        await using var azurite = await AzuriteProcess.StartAsync();
        await using var simulator = await SimulatorHost.StartAsync(contactLimit, requestsPerHour: 10_000);
        await FleetLedger.ForgetAsync(azurite);
        var scenarioSettings = new Dictionary<string, string>
        {
            [$"Scenarios:Definitions:{Scenario}:Secret"] = SecretName,
            [$"Gateway:Secrets:{SecretName}"] = simulator.ScenarioUrl(ScenarioHookId),
            ["Scenarios:RequestsPerMinute"] = scenarioLimit.ToString(CultureInfo.InvariantCulture),
            ["Scenarios:RequestsPerHour"] = "10000",
        };
        var hosts = await Task.WhenAll(Enumerable.Range(0, instances).Select(_ => GatewayInstance.StartAsync(
            azurite, simulator, contactLimit, requestsPerHour: 10_000, pauseSending: false, extraSettings: scenarioSettings)));

        // Long enough for the slower lane's ideal drain (one window per limit after the first) plus a generous minute.
        var windows = Math.Max(Math.Ceiling((double)contacts / contactLimit), Math.Ceiling((double)triggers / scenarioLimit));
        var timeout = TimeSpan.FromSeconds(61 * windows + 60);
        var stopwatch = Stopwatch.StartNew();
        var completed = false;
        try
        {
            await SendBurstAsync(hosts, contacts, triggers);
            Console.Error.WriteLine($"  burst of {contacts} upserts and {triggers} triggers accepted in {stopwatch.Elapsed.TotalSeconds:F1} s");
            while (stopwatch.Elapsed < timeout)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                var (contactLane, scenarioLane) = await ReadLanesAsync(simulator, contactLimit, scenarioLimit, contacts, triggers);
                if (contactLane.DistinctDelivered >= contacts && scenarioLane.DistinctDelivered >= triggers)
                {
                    completed = true;
                    break;
                }
                if ((int)stopwatch.Elapsed.TotalSeconds % 15 == 0)
                {
                    Console.Error.WriteLine($"  {stopwatch.Elapsed.TotalSeconds:F0} s: contacts {contactLane.DistinctDelivered}/{contacts}, scenarios {scenarioLane.DistinctDelivered}/{triggers}");
                }
            }
            // A late duplicate (a redelivered message) would arrive after the last first delivery: give it a moment.
            await Task.Delay(TimeSpan.FromSeconds(5));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
        var elapsed = stopwatch.Elapsed;
        var (contactsSeen, scenariosSeen) = await ReadLanesAsync(simulator, contactLimit, scenarioLimit, contacts, triggers);
        Print([contactsSeen, scenariosSeen], completed, elapsed);
    }

    /// <summary>Both lanes at once, each operation through the next instance in turn, 8 concurrent senders a lane.</summary>
    private static async Task SendBurstAsync(GatewayInstance[] hosts, int contacts, int triggers)
    {
        var contactSenders = hosts.Select(h => new GatewaySender(h.BaseAddress)).ToArray();
        var triggerSenders = hosts.Select(h => new ScenarioTriggerSender(h.BaseAddress, Scenario)).ToArray();
        try
        {
            var results = await Task.WhenAll(
                ClosedLoopRun.RunAsync(contacts, 8, i => contactSenders[i % hosts.Length].SendAsync(ContactOffset + i)),
                ClosedLoopRun.RunAsync(triggers, 8, i => triggerSenders[i % hosts.Length].SendAsync(i)));
            if (results.Sum(r => r.Failures) > 0)
            {
                throw new InvalidOperationException($"{results[0].Failures} upserts and {results[1].Failures} triggers were not accepted.");
            }
        }
        finally
        {
            foreach (var sender in contactSenders)
            {
                sender.Dispose();
            }
            foreach (var sender in triggerSenders)
            {
                sender.Dispose();
            }
        }
    }

    private static async Task<(LaneLog Contacts, LaneLog Scenarios)> ReadLanesAsync(
        SimulatorHost simulator, int contactLimit, int scenarioLimit, int contacts, int triggers)
    {
        // Contact calls: everything under Libromi's API path; an upsert is one PUT /contact/{phone}/attributes.
        var requests = (await simulator.GetRequestsAsync()).Where(r => r.Path.StartsWith(SimulatorApp.ApiPathBase, StringComparison.Ordinal)).ToList();
        var contactLane = new LaneLog("contact calls", contactLimit, contacts,
            [.. requests.Where(r => r.StatusCode == 200 && r.Method == "PUT").Select(r => (r.ReceivedAt, r.Path))],
            [.. requests.Select(r => (r.ReceivedAt, r.StatusCode))]);

        // Scenario calls: the scenario URL's own log of bodies; field n names the operation.
        var posts = (await simulator.GetScenarioAsync(ScenarioHookId)).Posts;
        var scenarioLane = new LaneLog("scenario calls", scenarioLimit, triggers,
            [.. posts.Where(p => p.Status == 200).Select(p => (p.ReceivedAt, OperationOf(p.Body)))],
            [.. posts.Select(p => (p.ReceivedAt, p.Status ?? 0))]);
        return (contactLane, scenarioLane);
    }

    private static string OperationOf(JsonElement body) =>
        body.TryGetProperty(ScenarioTriggerSender.OperationField, out var n) ? n.GetRawText() : "(missing)";

    private static void Print(IReadOnlyList<LaneLog> lanes, bool completed, TimeSpan elapsed)
    {
        Console.WriteLine($"## Contact and scenario calls sharing the fleet, side by side ({(completed ? "every operation delivered" : "TIMED OUT before every operation was delivered")}, {elapsed.TotalSeconds:F0} s from burst to stop)");
        Console.WriteLine();
        var table = new MarkdownTable("lane", "limit/min", "sent", "delivered (distinct)", "duplicates", "429s", "other answers",
            "max 200s in any 60 s", "max calls in any 60 s", "first → last", "sustained/min", "ratio");
        foreach (var l in lanes)
        {
            table.Add(l.Lane, Int(l.LimitPerMinute), Int(l.Operations), $"{Int(l.Delivered)} ({Int(l.DistinctDelivered)})", Int(l.Duplicates), Int(l.RateLimited), Int(l.OtherAnswers),
                Int(l.MaxAcceptedInAnyMinute), Int(l.MaxCallsInAnyMinute), $"{l.FirstToLast.TotalSeconds:F1} s", F1(l.SustainedPerMinute), F3(l.Ratio));
        }
        Console.WriteLine(table);

        Console.WriteLine("## Issue 18 fleet targets");
        Console.WriteLine();
        var targets = new MarkdownTable("figure", "measured", "target", "verdict");
        foreach (var l in lanes)
        {
            targets.Add($"most calls in any 60 s, {l.Lane}", Int(l.MaxCallsInAnyMinute), $"≤ {Int(l.LimitPerMinute)}", Verdict(l.MaxCallsInAnyMinute <= l.LimitPerMinute));
            targets.Add($"429s, {l.Lane}", Int(l.RateLimited), "0", Verdict(l.RateLimited == 0));
            targets.Add($"delivered rate / limit, {l.Lane}", F3(l.Ratio), $"≥ {MinRatio.ToString("F2", CultureInfo.InvariantCulture)}", Verdict(completed && l.Ratio >= MinRatio));
            targets.Add($"delivered exactly once, {l.Lane}", $"{Int(l.DistinctDelivered)}/{Int(l.Operations)}, {Int(l.Duplicates)} twice", "all, none twice", Verdict(l.ExactlyOnce));
        }
        Console.WriteLine(targets);
    }

    private static string Verdict(bool met) => met ? "met" : "MISSED";
    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    private static string F1(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
    private static string F3(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
}
