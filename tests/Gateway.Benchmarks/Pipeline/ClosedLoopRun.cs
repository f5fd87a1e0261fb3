using System.Diagnostics;

namespace Libromi.Gateway.Benchmarks.Pipeline;

/// <summary>Outcome of sending a fixed number of operations with a fixed number of concurrent senders.</summary>
internal sealed record ClosedLoopResult(int Count, int Failures, TimeSpan Elapsed)
{
    public double PerSecond => (Count - Failures) / Elapsed.TotalSeconds;

    /// <summary>Mean time one sender waited for one acknowledgement.</summary>
    public TimeSpan MeanLatency(int concurrency) => Elapsed * concurrency / Count;
}

/// <summary>
/// Closed-loop load: <c>concurrency</c> senders each send the next operation as soon as the previous one is
/// acknowledged, until <c>count</c> operations were sent. The same driver serves the raw SDK baseline and the
/// gateway, so the ratio compares like with like.
/// </summary>
internal static class ClosedLoopRun
{
    /// <param name="send">Sends operation <c>i</c>; true when it was acknowledged (a 202, or storage's 201).</param>
    public static async Task<ClosedLoopResult> RunAsync(int count, int concurrency, Func<int, Task<bool>> send)
    {
        var next = -1;
        var failures = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                if (!await send(i))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        stopwatch.Stop();
        return new ClosedLoopResult(count, failures, stopwatch.Elapsed);
    }
}
