using Libromi.Gateway.Benchmarks.Harness;

namespace Libromi.Gateway.Benchmarks.Coalescing;

/// <summary>The coalescing measurement on its own (<c>fleet</c> runs it beside the drains): prints calls per event, target ≤ 0.3.</summary>
internal static class CoalescingBenchmark
{
    private const int LimitPerMinute = 100;

    public static async Task RunAsync()
    {
        Console.WriteLine($"coalescing benchmark, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}, {Environment.ProcessorCount} cores");
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var simulator = await SimulatorHost.StartAsync(LimitPerMinute, requestsPerHour: 10_000);
        await using var filler = await GatewayInstance.StartAsync(azurite, simulator, LimitPerMinute, requestsPerHour: 10_000, pauseSending: true);
        var result = await new CoalescingRun(azurite, simulator, filler).RunAsync(LimitPerMinute);
        Console.WriteLine();
        Console.WriteLine(result.ToTable());
    }
}
