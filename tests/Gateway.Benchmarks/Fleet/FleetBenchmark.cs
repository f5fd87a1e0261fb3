using System.Globalization;
using Libromi.Gateway.Benchmarks.Coalescing;
using Libromi.Gateway.Benchmarks.Harness;
using Libromi.Gateway.Benchmarks.Pipeline;

namespace Libromi.Gateway.Benchmarks.Fleet;

/// <summary>
/// Issue 4's figures side by side from one run against one Azurite and one simulated account: the drain with one
/// instance and with three (delivered rate over the limit, the busiest 60 s, 429s, ledger and total storage requests
/// per delivered call), then the coalescing burst; a closing table sets every figure against its target.
/// </summary>
internal static class FleetBenchmark
{
    private const double MinDrainRatio = 0.95;
    private const double MaxLedgerPerCall = 0.25;

    public static async Task RunAsync(int limitPerMinute, int backlog, int instances)
    {
        Console.WriteLine($"fleet benchmark, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine($"settings: limit {limitPerMinute}/min, backlog {backlog}, 1 and {instances} instances");
        Console.WriteLine();

        await using var azurite = await AzuriteProcess.StartAsync();
        await using var simulator = await SimulatorHost.StartAsync(limitPerMinute, requestsPerHour: 10_000);
        // Sending paused for the whole run: this host only accepts; every measurement starts hosts of its own.
        await using var filler = await GatewayInstance.StartAsync(azurite, simulator, limitPerMinute, requestsPerHour: 10_000, pauseSending: true);

        var drain = new DrainRun(azurite, simulator, filler);
        IReadOnlyList<DrainResult> drains = [await drain.RunAsync(1, limitPerMinute, backlog), await drain.RunAsync(instances, limitPerMinute, backlog)];
        PipelineBenchmark.PrintDrain(drains);

        var coalescing = await new CoalescingRun(azurite, simulator, filler).RunAsync(limitPerMinute);
        Console.WriteLine("## Coalescing: 10 updates each to 50 contacts, round-robin, drained by one fresh host");
        Console.WriteLine();
        Console.WriteLine(coalescing.ToTable());

        Console.WriteLine("## Issue 4 targets");
        Console.WriteLine();
        var targets = new MarkdownTable("figure", "measured", "target", "verdict");
        foreach (var r in drains)
        {
            var n = $"{r.Instances} instance{(r.Instances == 1 ? "" : "s")}";
            targets.Add($"delivered rate / limit, {n}", F3(r.Ratio), $"≥ {F2(MinDrainRatio)}", Verdict(r.Completed && r.Ratio >= MinDrainRatio));
            targets.Add($"most calls in any 60 s, {n}", Int(r.Log.MaxCallsInAnyMinute), $"≤ {Int(limitPerMinute)}", Verdict(r.Log.MaxCallsInAnyMinute <= limitPerMinute));
            targets.Add($"429s, {n}", Int(r.Log.RateLimited), "0", Verdict(r.Log.RateLimited == 0));
            targets.Add($"ledger requests per delivered call, {n}", F2(r.LedgerRequestsPerDelivery), $"≤ {F2(MaxLedgerPerCall)}", Verdict(r.LedgerRequestsPerDelivery <= MaxLedgerPerCall));
            targets.Add($"all storage requests per delivered call, {n}", F2(r.StorageRequestsPerDelivery), "(no target: queues included)", "");
        }
        targets.Add("Libromi calls per event, burst to 50 contacts", F3(coalescing.CallsPerEvent), $"≤ {CoalescingResult.Target.ToString(CultureInfo.InvariantCulture)}",
            Verdict(coalescing.EveryChangeArrived && coalescing.LastWins == coalescing.Contacts && coalescing.CallsPerEvent <= CoalescingResult.Target));
        Console.WriteLine(targets);
    }

    private static string Verdict(bool met) => met ? "met" : "MISSED";
    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    private static string F2(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
    private static string F3(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
}
