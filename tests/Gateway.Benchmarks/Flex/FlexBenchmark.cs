using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Libromi.Gateway.Benchmarks.Harness;
using Libromi.Gateway.Ingest;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;
using Microsoft.Extensions.DependencyInjection;

namespace Libromi.Gateway.Benchmarks.Flex;

/// <summary>
/// A model of Flex Consumption running the Functions app (docs/benchmarks.md, "flex", states each assumption and its
/// source): instances are started towards the trigger queue's length ÷ target executions per instance (host.json
/// <c>batchSize</c>, 16), capped by <c>maximumInstanceCount</c> (40), and removed after a minute without an execution;
/// each instance runs the app's real function classes against Azurite and the simulator. Billed time is every second
/// in which an instance has at least one execution running. Two designs side by side: the drain (wake queue and
/// 30-second timer) and, as the baseline, the trigger the app had before it (one invocation per operation message).
/// </summary>
internal static class FlexBenchmark
{
    private const int TargetExecutionsPerInstance = 16;
    private const int MaximumInstanceCount = 40;
    private static readonly TimeSpan ScaleInAfterIdle = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ScaleInterval = TimeSpan.FromSeconds(1);

    public static async Task RunAsync(int limitPerMinute, int backlog, int importRows, int latencySamples)
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        try
        {
            await RunAsync(azurite, limitPerMinute, backlog, importRows, latencySamples);
        }
        catch
        {
            Console.Error.WriteLine("Azurite's output:\n" + string.Join("\n", azurite.Log.Split('\n').Where(line => !line.Contains("comp=metadata", StringComparison.Ordinal)).Take(80)));
            throw;
        }
    }

    private static async Task RunAsync(AzuriteProcess azurite, int limitPerMinute, int backlog, int importRows, int latencySamples)
    {
        await using var simulator = await SimulatorHost.StartAsync(limitPerMinute, limitPerMinute * 60);
        var settings = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Libromi:BaseUrl"] = simulator.BaseUrl,
            ["Libromi:ApiToken"] = SimulatorHost.Token,
            ["Libromi:RequestsPerMinute"] = limitPerMinute.ToString(CultureInfo.InvariantCulture),
            ["Libromi:RequestsPerHour"] = (limitPerMinute * 60).ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        // The design before the drain waited up to two minutes for a permit in each invocation.
        var baseline = new Dictionary<string, string>(settings) { ["Processing:MaxPermitWait"] = "00:02:00" };

        var table = new MarkdownTable("design", "workload", "Libromi calls", "drain s", "billed instance-s", "billed instance-s per 1,000 calls",
            "instances paid while draining (target ≤ 1.5)", "delivered rate / limit (target ≥ 0.95)", "most instances", "429s", "storage requests per call");
        var realtime = Enumerable.Range(0, backlog).Select(i => Update($"4477031{i:D5}", Lane.Realtime)).ToArray();
        var import = Enumerable.Range(0, importRows).Select(i => Update($"4477032{i:D5}", Lane.Bulk)).Chunk(50).Select(rows => OperationEnvelope.Pack(rows)).ToArray();

        foreach (var (design, designSettings, wakes) in new[] { ("drain (wake + timer)", settings, true), ("baseline: one invocation per message", baseline, false) })
        {
            foreach (var (workload, envelopes, calls) in new[] { ($"{backlog} realtime operations", realtime, backlog), ($"{importRows}-row import ({import.Length} packed messages)", import, importRows) })
            {
                await simulator.ResetAsync();
                var queues = new OperationQueues(new Azure.Storage.Queues.QueueServiceClient(azurite.ConnectionString, new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 }));
                await queues.EnsureCreatedAsync();
                var triggerQueue = wakes ? QueueNames.Wake : queues.For(envelopes[0].Lane).Name;
                var run = await DrainAsync(simulator, queues, designSettings, triggerQueue, wakes, envelopes, calls, limitPerMinute);
                table.Add(design, workload, run.Calls.ToString(CultureInfo.InvariantCulture), F(run.Duration.TotalSeconds, 0), F(run.Billed.TotalSeconds, 0),
                    F(run.Billed.TotalSeconds * 1000 / Math.Max(1, run.Calls), 0), F(run.Billed.TotalSeconds / run.Duration.TotalSeconds, 2),
                    F(run.Calls / (run.Duration.TotalMinutes * limitPerMinute), 2), run.MostInstances.ToString(CultureInfo.InvariantCulture),
                    run.RateLimited.ToString(CultureInfo.InvariantCulture), F(run.StorageRequests / (double)Math.Max(1, run.Calls), 1));
                Console.WriteLine($"{design}, {workload}: {run.Calls} calls in {run.Duration.TotalSeconds:F0} s, billed {run.Billed.TotalSeconds:F0} instance-s");
            }
        }

        var latency = await IdleLatencyAsync(simulator, settings, latencySamples);
        Console.WriteLine();
        Console.WriteLine($"## Flex Consumption model: limit {limitPerMinute}/min, target {TargetExecutionsPerInstance} executions per instance, at most {MaximumInstanceCount} instances");
        Console.WriteLine();
        Console.WriteLine(table.ToString());
        Console.WriteLine();
        Console.WriteLine($"Single realtime operation at an idle gateway (drain), {latency.Length} samples: p50 {F(Percentile(latency, 0.5), 2)} s, p99 {F(Percentile(latency, 0.99), 2)} s, max {F(latency.Max(), 2)} s (target p50 and p99 ≤ 3 s)");
    }

    private sealed record DrainResult(int Calls, TimeSpan Duration, TimeSpan Billed, int MostInstances, int RateLimited, long StorageRequests);

    private static async Task<DrainResult> DrainAsync(SimulatorHost simulator, OperationQueues queues, IReadOnlyDictionary<string, string> settings,
        string triggerQueue, bool drainDesign, OperationEnvelope[] envelopes, int expectedCalls, int limitPerMinute)
    {
        await Parallel.ForEachAsync(envelopes, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (envelope, ct) => await queues.EnqueueAsync(envelope, cancellationToken: ct));
        var started = DateTimeOffset.UtcNow;
        var fleet = new ScaleController(settings, triggerQueue, drainDesign);
        if (drainDesign)
        {
            // What ingest writes with the first of these operations.
            var wake = new Azure.Storage.Queues.QueueClient(settings["AzureWebJobsStorage"], QueueNames.Wake,
                new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 });
            await wake.CreateIfNotExistsAsync();
            await wake.SendMessageAsync("wake");
        }
        var scaling = fleet.RunAsync();
        var deadline = started + TimeSpan.FromMinutes(expectedCalls / (double)limitPerMinute * 2 + 3);
        IReadOnlyList<Simulator.Inspection.RecordedRequest> requests = [];
        while (DateTimeOffset.UtcNow < deadline)
        {
            requests = await simulator.GetRequestsAsync();
            if (requests.Count(r => r.StatusCode == 200) >= expectedCalls)
            {
                break;
            }
            await Task.Delay(500);
        }
        var delivered = requests.Where(r => r.StatusCode == 200).ToArray();
        var finished = delivered.Length > 0 ? delivered.Max(r => r.ReceivedAt) : DateTimeOffset.UtcNow;
        var result = await fleet.StopAsync(scaling);
        return new DrainResult(delivered.Length, finished - started, result.Billed, result.MostInstances, requests.Count(r => r.StatusCode == 429), result.StorageRequests);
    }

    /// <summary>Idle gateway, one operation at a time, as the HTTP function accepts it: from storing it to Libromi's receipt.</summary>
    private static async Task<double[]> IdleLatencyAsync(SimulatorHost simulator, IReadOnlyDictionary<string, string> settings, int samples)
    {
        await simulator.ResetAsync();
        var fleet = new ScaleController(settings, QueueNames.Wake, drainDesign: true);
        var scaling = fleet.RunAsync();
        await using var front = FlexInstance.Start(settings, "unused-http-front", 1, (_, _, _) => Task.CompletedTask);
        var ingestor = front.Services.GetRequiredService<OperationIngestor>();
        List<double> seconds = [];
        for (var i = 0; i < samples; i++)
        {
            // Long enough apart for the previous run to end, so every sample starts from an idle drain.
            await Task.Delay(TimeSpan.FromSeconds(5));
            var phone = $"4477033{i:D5}";
            var watch = Stopwatch.StartNew();
            var sentAt = DateTimeOffset.UtcNow;
            await ingestor.EnqueueAsync(new ContactOperations(PhoneNumber.Parse(phone, null), [OperationStep.UpdateAttributes(new JsonObject { ["n"] = i })]), "api", Lane.Realtime, null, CancellationToken.None);
            while (watch.Elapsed < TimeSpan.FromSeconds(60))
            {
                var hit = (await simulator.GetRequestsAsync()).FirstOrDefault(r => r.StatusCode == 200 && r.Path.EndsWith(phone + "/attributes", StringComparison.Ordinal));
                if (hit is not null)
                {
                    seconds.Add((hit.ReceivedAt - sentAt).TotalSeconds);
                    break;
                }
                await Task.Delay(20);
            }
        }
        await fleet.StopAsync(scaling);
        return [.. seconds];
    }

    private static OperationEnvelope Update(string phone, Lane lane) => new()
    {
        OperationId = Guid.NewGuid().ToString("N"),
        PhoneNumber = phone,
        Steps = [OperationStep.UpdateAttributes(new JsonObject { ["flex"] = 1 })],
        Source = lane == Lane.Bulk ? "import:flex" : "api",
        Lane = lane,
        ReceivedAt = DateTimeOffset.UtcNow,
        CorrelationId = Guid.NewGuid().ToString("N"),
    };

    private static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static string F(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    /// <summary>
    /// The scale controller, modelled: every second, as many instances as the trigger queue's length ÷ 16 asks for (at
    /// most 40, at least one while the queue holds anything), instances without an execution for a minute removed; for
    /// the drain design, the 30-second timer fires on a live instance (one is started if none is).
    /// </summary>
    private sealed class ScaleController(IReadOnlyDictionary<string, string> settings, string triggerQueue, bool drainDesign)
    {
        private readonly List<FlexInstance> _live = [];
        private readonly List<FlexInstance> _gone = [];
        private readonly CancellationTokenSource _stopping = new();
        private int _most;

        public async Task RunAsync()
        {
            var queue = new Azure.Storage.Queues.QueueClient(settings["AzureWebJobsStorage"], triggerQueue);
            await queue.CreateIfNotExistsAsync();
            var nextTimer = DateTimeOffset.UtcNow + DrainSchedule.Interval;
            var timers = new List<Task>();
            while (!_stopping.IsCancellationRequested)
            {
                var length = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
                var desired = Math.Min(MaximumInstanceCount, (length + TargetExecutionsPerInstance - 1) / TargetExecutionsPerInstance);
                while (_live.Count < desired)
                {
                    _live.Add(Start());
                }
                foreach (var idle in _live.Where(i => !i.IsBusy && DateTimeOffset.UtcNow - i.LastBusy > ScaleInAfterIdle && _live.Count > desired).ToArray())
                {
                    _live.Remove(idle);
                    _gone.Add(idle);
                    await idle.DisposeAsync();
                }
                if (drainDesign && DateTimeOffset.UtcNow >= nextTimer)
                {
                    nextTimer += DrainSchedule.Interval;
                    if (_live.Count == 0)
                    {
                        _live.Add(Start());
                    }
                    timers.Add(_live[0].FireTimerAsync(FlexInstance.DrainOnSchedule));
                }
                _most = Math.Max(_most, _live.Count);
                await Task.Delay(ScaleInterval, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            await Task.WhenAll(timers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        private FlexInstance Start() => FlexInstance.Start(settings, triggerQueue, TargetExecutionsPerInstance,
            drainDesign ? FlexInstance.DrainOnWake : FlexInstance.ProcessEachMessage);

        public async Task<(TimeSpan Billed, int MostInstances, long StorageRequests)> StopAsync(Task scaling)
        {
            var all = _live.Concat(_gone).ToArray();
            var billed = TimeSpan.FromTicks(all.Sum(i => i.Billed.Ticks));
            var storage = all.Sum(i => i.StorageRequests.Count);
            await _stopping.CancelAsync();
            await scaling;
            foreach (var instance in _live)
            {
                await instance.DisposeAsync();
            }
            return (billed, _most, storage);
        }
    }
}
