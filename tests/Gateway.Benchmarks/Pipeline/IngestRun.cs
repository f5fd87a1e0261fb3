using Libromi.Gateway.Benchmarks.Harness;

namespace Libromi.Gateway.Benchmarks.Pipeline;

internal sealed record IngestPair(ClosedLoopResult Raw, ClosedLoopResult Gateway)
{
    public double Ratio => Gateway.PerSecond / Raw.PerSecond;
}

/// <summary>
/// Gateway accepts per second against raw SDK enqueues per second, same count, same concurrency, same Azurite,
/// alternating (raw, gateway, raw, gateway, ...) so drift in the shared machine's load hits both sides alike.
/// </summary>
internal sealed class IngestRun(GatewayInstance gateway, RawQueueSender raw)
{
    public async Task<IReadOnlyList<IngestPair>> RunAsync(int count, int concurrency, int rounds)
    {
        using var sender = new GatewaySender(gateway.BaseAddress);

        // Warm-up: JIT, connection pools and Azurite's first queue writes are not what is measured.
        await ClosedLoopRun.RunAsync(count / 10, concurrency, raw.SendAsync);
        await ClosedLoopRun.RunAsync(count / 10, concurrency, sender.SendAsync);

        var pairs = new List<IngestPair>();
        for (var round = 0; round < rounds; round++)
        {
            // Every run starts from empty queues, so neither side writes into a longer queue than the other.
            await ClearAsync();
            var rawResult = await ClosedLoopRun.RunAsync(count, concurrency, raw.SendAsync);
            await ClearAsync();
            var gatewayResult = await ClosedLoopRun.RunAsync(count, concurrency, sender.SendAsync);
            pairs.Add(new IngestPair(rawResult, gatewayResult));
            Console.Error.WriteLine($"  ingest round {round + 1}: raw {rawResult.PerSecond:F0}/s, gateway {gatewayResult.PerSecond:F0}/s");
        }
        await ClearAsync();
        return pairs;
    }

    private async Task ClearAsync()
    {
        await raw.Queue.ClearMessagesAsync();
        await gateway.Queues.Realtime.ClearMessagesAsync();
    }
}
