using System.Diagnostics;

namespace Libromi.Gateway.Benchmarks.Pipeline;

internal sealed record OpenLoopResult(double TargetPerSecond, int Sent, int Failures, TimeSpan P50, TimeSpan P99, TimeSpan Max);

/// <summary>
/// Open-loop load: operation <c>i</c> is due at <c>i / rate</c> whether or not earlier ones were answered, as
/// independent senders behave. Latency runs from the due time, not the actual send, so a stalled sender cannot
/// hide a slow gateway (no coordinated omission).
/// </summary>
internal static class OpenLoopRun
{
    public static async Task<OpenLoopResult> RunAsync(double perSecond, TimeSpan duration, Func<int, Task<bool>> send)
    {
        var total = (int)(perSecond * duration.TotalSeconds);
        var latencies = new double[total];
        var failures = 0;
        var inFlight = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }
            var index = i;
            inFlight.Add(Task.Run(async () =>
            {
                var ok = await send(index);
                latencies[index] = (clock.Elapsed - due).TotalMilliseconds;
                if (!ok)
                {
                    Interlocked.Increment(ref failures);
                }
            }));
        }
        await Task.WhenAll(inFlight);
        Array.Sort(latencies);
        return new OpenLoopResult(perSecond, total, failures, Percentile(latencies, 0.50), Percentile(latencies, 0.99), TimeSpan.FromMilliseconds(latencies[^1]));
    }

    // Nearest rank: the smallest value at or below which the given share of samples lie.
    private static TimeSpan Percentile(double[] sorted, double share) =>
        TimeSpan.FromMilliseconds(sorted[Math.Max(0, (int)Math.Ceiling(share * sorted.Length) - 1)]);
}
