using System.Diagnostics;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Xunit.Abstractions;

namespace Libromi.Gateway.EndToEnd.Worker;

/// <summary>
/// A deployed app with a missing or invalid setting must not half-start: the worker process exits before it serves
/// the host, and what the host records (its output) names the setting once. A healthy worker stops when told to.
/// </summary>
public sealed class WorkerStartupTests(PipelineFixture fixture, ITestOutputHelper output) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Worker_without_a_storage_setting_exits_with_one_clear_message()
    {
        var failure = await StartExpectingFailureAsync(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = null });

        AssertOneClearMessage(failure, "No storage is configured: set AzureWebJobsStorage");
    }

    [Fact]
    public async Task Worker_with_an_invalid_rate_limit_setting_exits_with_one_clear_message()
    {
        var failure = await StartExpectingFailureAsync(new Dictionary<string, string?> { ["Libromi:RequestsPerMinute"] = "0" });

        AssertOneClearMessage(failure, "The field RequestsPerMinute must be between 1 and 100");
    }

    [Fact]
    public async Task Worker_stops_by_itself_when_the_host_sends_WorkerTerminate()
    {
        var worker = await WorkerHost.StartAsync(fixture.Azurite, fixture.Simulator, queueTriggers: false);
        Assert.True(await worker.IsWorkerHealthyAsync());
        // The worker answers the stream while its hosted services (the gateway's table initialisers) still start, and a
        // stop requested in that window aborts the start: .NET's generic host throws, the process exits non-zero.
        // The host terminates started workers, so the test waits for the generic host's own "started" log line.
        await Eventually.WaitForAsync(() => Task.FromResult(worker.Output), o => o.Contains("Application started", StringComparison.Ordinal), "the worker's start-up to finish");

        await worker.DisposeAsync();

        Assert.True(worker.StoppedOnTerminate, "the worker had to be killed:\n" + worker.Output);
    }

    private async Task<WorkerStartException> StartExpectingFailureAsync(Dictionary<string, string?> overrides)
    {
        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<WorkerStartException>(async () =>
        {
            await using var worker = await WorkerHost.StartAsync(fixture.Azurite, fixture.Simulator, overrides, queueTriggers: false);
        });
        output.WriteLine($"failed after {clock.Elapsed.TotalSeconds:0.0} s:\n{failure.Message}");
        // The exit ends the wait at once: a failed start must not look like a hang.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"start-up failure took {clock.Elapsed}");
        return failure;
    }

    private static void AssertOneClearMessage(WorkerStartException failure, string text)
    {
        Assert.Contains("exited with code", failure.Message, StringComparison.Ordinal);
        var occurrences = failure.Output.Split(text).Length - 1;
        Assert.True(occurrences == 1, $"expected '{text}' once in the worker's output, found it {occurrences} times:\n{failure.Output}");
    }
}
