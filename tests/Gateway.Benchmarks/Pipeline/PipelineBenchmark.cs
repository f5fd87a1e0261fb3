using System.Globalization;
using Libromi.Gateway.Benchmarks.Harness;
using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.Benchmarks.Pipeline;

/// <summary>
/// Issue 3's figures in one run against one Azurite and the in-process simulator: ingest ratio, accept latency at
/// half capacity, and drain ratio (for one instance, and side by side for several with <c>--instances</c>).
/// </summary>
internal static class PipelineBenchmark
{
    public static async Task RunAsync(PipelineOptions options)
    {
        Console.WriteLine($"pipeline benchmark, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine($"settings: {options}");
        Console.WriteLine();

        await using var azurite = await AzuriteProcess.StartAsync();
        await using var simulator = await SimulatorHost.StartAsync(options.LimitPerMinute, requestsPerHour: 10_000);
        // Sending paused for the whole run: this host only accepts; the drain starts hosts of its own.
        await using var gateway = await GatewayInstance.StartAsync(azurite, simulator, options.LimitPerMinute, requestsPerHour: 10_000, pauseSending: true, trail: options.Trail);

        double? halfCapacity = null;
        if (!options.SkipIngest)
        {
            var raw = await RawQueueSender.CreateAsync(azurite.ConnectionString, options.Count);
            var pairs = await new IngestRun(gateway, raw).RunAsync(options.Count, options.Concurrency, options.Rounds);
            PrintIngest(options, pairs);

            halfCapacity = Median(pairs.Select(p => p.Gateway.PerSecond)) / 2;
        }

        if (!options.SkipDrain)
        {
            if (options.Backlog % options.LimitPerMinute != 0)
            {
                Console.WriteLine("note: the backlog is not a multiple of the limit, so the last window is not full and the drain ratio reads low.");
            }
            var drain = new DrainRun(azurite, simulator, gateway, options.Trail);
            var results = new List<DrainResult> { await drain.RunAsync(1, options.LimitPerMinute, options.Backlog) };
            if (options.Instances > 1)
            {
                results.Add(await drain.RunAsync(options.Instances, options.LimitPerMinute, options.Backlog));
            }
            PrintDrain(results);
        }

        // Last: if open-loop load overruns a noisy machine, Azurite's backlog must not spoil the drain.
        if (halfCapacity is { } rate)
        {
            using var sender = new GatewaySender(gateway.BaseAddress);
            PrintLatency(await OpenLoopRun.RunAsync(rate, options.LatencyDuration, sender.SendAsync));
        }
    }

    private static void PrintIngest(PipelineOptions options, IReadOnlyList<IngestPair> pairs)
    {
        Console.WriteLine($"## Ingest: {options.Count} operations, {options.Concurrency} concurrent senders, sending paused (SendingState.PauseUntil + 1 day)");
        Console.WriteLine();
        var table = new MarkdownTable("round", "raw SDK enqueue/s", "raw mean latency", "gateway accept/s", "gateway mean latency", "gateway non-202", "ratio");
        for (var i = 0; i < pairs.Count; i++)
        {
            var (raw, gateway) = (pairs[i].Raw, pairs[i].Gateway);
            table.Add((i + 1).ToString(CultureInfo.InvariantCulture), F0(raw.PerSecond), Ms(raw.MeanLatency(options.Concurrency)),
                F0(gateway.PerSecond), Ms(gateway.MeanLatency(options.Concurrency)), gateway.Failures.ToString(CultureInfo.InvariantCulture), F2(pairs[i].Ratio));
        }
        var median = Median(pairs.Select(p => p.Ratio));
        table.Add("median", F0(Median(pairs.Select(p => p.Raw.PerSecond))), "", F0(Median(pairs.Select(p => p.Gateway.PerSecond))), "", "", $"**{F2(median)}** (target ≥ 0.80: {(median >= 0.8 ? "met" : "MISSED")})");
        Console.WriteLine(table);
    }

    private static void PrintLatency(OpenLoopResult latency)
    {
        Console.WriteLine($"## Accept latency, open loop at half the median gateway capacity");
        Console.WriteLine();
        Console.WriteLine(new MarkdownTable("rate", "sent", "non-202", "p50", "p99", "max")
            .Add($"{F0(latency.TargetPerSecond)}/s", latency.Sent.ToString(CultureInfo.InvariantCulture), latency.Failures.ToString(CultureInfo.InvariantCulture),
                Ms(latency.P50), Ms(latency.P99), Ms(latency.Max)));
    }

    internal static void PrintDrain(IReadOnlyList<DrainResult> results)
    {
        // Libromi's window over the ledger's: at saturation a permit comes back one ledger window after its lease's
        // last use (a settled lease), so no drain can beat this; the gap to it is grant spread and round trips.
        var libromiWindow = TimeSpan.FromMinutes(1);
        var ceiling = libromiWindow / RateLedger.MinuteWindow;
        var ceilingName = string.Create(CultureInfo.InvariantCulture, $"ceiling {libromiWindow.TotalSeconds:0.###}/{RateLedger.MinuteWindow.TotalSeconds:0.###}");
        Console.WriteLine($"## Drain: backlog of {results[0].Backlog}, limit {results[0].LimitPerMinute}/min, production queue and processing defaults");
        Console.WriteLine();
        var table = new MarkdownTable("instances", "delivered", "first→last", "sustained/min", "ratio", ceilingName, "max 200s in any 60 s", "max calls in any 60 s", "429s", "other",
            "storage requests", "storage per delivery", "ledger requests", "ledger per delivery", "ingest storage per op", "trail batches per delivery");
        foreach (var r in results)
        {
            table.Add(r.Instances.ToString(CultureInfo.InvariantCulture),
                $"{r.Log.Delivered}{(r.Completed ? "" : " (timed out)")}",
                $"{r.Log.FirstToLast.TotalSeconds:F1} s",
                F1(r.Log.SustainedPerMinute),
                $"**{F3(r.Ratio)}**",
                F3(ceiling),
                r.Log.MaxDeliveredInAnyMinute.ToString(CultureInfo.InvariantCulture),
                r.Log.MaxCallsInAnyMinute.ToString(CultureInfo.InvariantCulture),
                r.Log.RateLimited.ToString(CultureInfo.InvariantCulture),
                r.Log.OtherAnswers.ToString(CultureInfo.InvariantCulture),
                r.StorageRequests.ToString(CultureInfo.InvariantCulture),
                F2(r.StorageRequestsPerDelivery),
                r.LedgerRequests.ToString(CultureInfo.InvariantCulture),
                $"**{F2(r.LedgerRequestsPerDelivery)}**",
                F2(r.FillRequestsPerOperation),
                $"{F2(r.BatchesPerDelivery)} (+{F2(r.FillBatchesPerOperation)} at ingest)");
        }
        Console.WriteLine(table);
        Console.WriteLine("ratio = (delivered − limit) / (last − first delivery) / limit; targets: ratio ≥ 0.95, max in any 60 s ≤ limit, zero 429s, ledger per delivery ≤ 0.25.");
        Console.WriteLine("storage counts every request of the drain hosts (queues and tables); ledger counts those to the ratelimit table alone.");
        Console.WriteLine("ingest storage per op: requests of the accepting host while the backlog was posted (queue writes, and the trail's batched rows when on), per operation.");
        Console.WriteLine("trail batches: table transactions (the trail's only kind of write here) of the drain hosts per delivery, and of the accepting host per operation.");
        Console.WriteLine();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string F0(double value) => value.ToString("F0", CultureInfo.InvariantCulture);
    private static string F1(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
    private static string F2(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
    private static string F3(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
    private static string Ms(TimeSpan value) => $"{value.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)} ms";
}
