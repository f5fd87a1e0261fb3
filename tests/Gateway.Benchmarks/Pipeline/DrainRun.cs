using System.Diagnostics;
using Libromi.Gateway.Benchmarks.Harness;

namespace Libromi.Gateway.Benchmarks.Pipeline;

internal sealed record DrainResult(int Instances, int LimitPerMinute, int Backlog, DeliveryLog Log, long StorageRequests, long LedgerRequests, TimeSpan Elapsed, bool Completed)
{
    /// <summary>Requests of the accepting host while it took the backlog.</summary>
    public long FillRequests { get; init; }

    /// <summary>Table transactions of the accepting host while it took the backlog (the trail's batched "queued" rows).</summary>
    public long FillBatches { get; init; }

    /// <summary>Table transactions of the drain hosts (the trail's outcome rows).</summary>
    public long Batches { get; init; }

    public double FillRequestsPerOperation => (double)FillRequests / Backlog;

    public double FillBatchesPerOperation => (double)FillBatches / Backlog;

    public double BatchesPerDelivery => PerDelivery(Batches);

    public double Ratio => Log.SustainedPerMinute / LimitPerMinute;

    public double StorageRequestsPerDelivery => PerDelivery(StorageRequests);

    /// <summary>The rate-limit ledger's share of <see cref="StorageRequestsPerDelivery"/>.</summary>
    public double LedgerRequestsPerDelivery => PerDelivery(LedgerRequests);

    private double PerDelivery(long requests) => Log.Delivered == 0 ? double.NaN : (double)requests / Log.Delivered;
}

/// <summary>
/// Drains a backlog in real time (Libromi's window is 60 s of wall clock): the backlog is posted through a paused
/// gateway, then <c>instances</c> fresh hosts with the given limit start together on the same queues and the same
/// simulated account, and the run ends when the simulator has answered 200 to every operation.
/// </summary>
internal sealed class DrainRun(AzuriteProcess azurite, SimulatorHost simulator, GatewayInstance filler, bool trail = true)
{
    public async Task<DrainResult> RunAsync(int instances, int limitPerMinute, int backlog)
    {
        await filler.Queues.Realtime.ClearMessagesAsync();
        var (fillRequests, fillBatches) = (filler.StorageRequests.Count, filler.StorageRequests.BatchCount);
        using (var sender = new GatewaySender(filler.BaseAddress))
        {
            var fill = await ClosedLoopRun.RunAsync(backlog, 16, i => sender.SendAsync(1_000_000 + i));
            if (fill.Failures > 0)
            {
                throw new InvalidOperationException($"{fill.Failures} of the backlog's {backlog} operations were not accepted.");
            }
        }
        // The trail's batched rows go out within its window after the last accept.
        await Task.Delay(TimeSpan.FromSeconds(1));
        (fillRequests, fillBatches) = (filler.StorageRequests.Count - fillRequests, filler.StorageRequests.BatchCount - fillBatches);
        await simulator.ResetAsync();
        await FleetLedger.ForgetAsync(azurite);

        // Long enough for the ideal drain (one window per `limit` after the first) plus a generous minute.
        var timeout = TimeSpan.FromSeconds(61 * Math.Ceiling((double)backlog / limitPerMinute) + 60);
        var hosts = await Task.WhenAll(Enumerable.Range(0, instances).Select(_ =>
            GatewayInstance.StartAsync(azurite, simulator, limitPerMinute, requestsPerHour: 10_000, pauseSending: false, trail)));
        var stopwatch = Stopwatch.StartNew();
        var completed = false;
        try
        {
            while (stopwatch.Elapsed < timeout)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                var delivered = (await simulator.GetRequestsAsync()).Count(r => r.StatusCode == 200);
                if (delivered >= backlog)
                {
                    completed = true;
                    break;
                }
                if ((int)stopwatch.Elapsed.TotalSeconds % 15 == 0)
                {
                    Console.Error.WriteLine($"  drain with {instances} instance(s): {delivered}/{backlog} delivered after {stopwatch.Elapsed.TotalSeconds:F0} s");
                }
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
        var log = new DeliveryLog(await simulator.GetRequestsAsync(), limitPerMinute);
        return new DrainResult(instances, limitPerMinute, backlog, log, hosts.Sum(h => h.StorageRequests.Count), hosts.Sum(h => h.StorageRequests.LedgerCount), stopwatch.Elapsed, completed)
        {
            FillRequests = fillRequests,
            FillBatches = fillBatches,
            Batches = hosts.Sum(h => h.StorageRequests.BatchCount),
        };
    }
}
