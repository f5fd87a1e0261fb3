using System.Diagnostics;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Processing;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.EndToEnd.Drain;

/// <summary>
/// When a drain run ends, against Azurite and the simulator with the production drain settings: it never keeps an
/// instance busy only to wait, and only one instance runs it at a time.
/// </summary>
public sealed class DrainRunTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        // Production queue and drain settings (no shortened polling or requeue delay): the host runs no drain of its own.
        _host = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?>
        {
            ["Queues:MaxPollingInterval"] = null,
            ["Processing:MaxRequeueDelay"] = null,
        }, GatewayHost.WithoutDrain);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private OperationDrain Drain => _host.App.Services.GetRequiredService<OperationDrain>();

    [Fact]
    public async Task A_run_with_empty_queues_ends_within_the_idle_exit_and_lets_go_of_the_drain()
    {
        var watch = Stopwatch.StartNew();
        var exit = await Drain.RunAsync(CancellationToken.None);

        Assert.Equal(DrainExitReason.Idle, exit.Reason);
        // IdleExit (2 s) plus the polls that fit in it.
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(6));
        Assert.Equal(DrainExitReason.Idle, (await Drain.RunAsync(CancellationToken.None)).Reason);
    }

    [Fact]
    public async Task A_run_during_a_long_pause_ends_at_once_without_receiving_and_schedules_a_wake_for_the_pause_end()
    {
        await _host.Queues.EnqueueAsync(Update("447700930001"));
        _host.App.Services.GetRequiredService<SendingState>().PauseUntil(DateTimeOffset.UtcNow.AddMinutes(2));

        var watch = Stopwatch.StartNew();
        var exit = await Drain.RunAsync(CancellationToken.None);

        Assert.Equal(DrainExitReason.Waiting, exit.Reason);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.InRange(exit.ResumeIn!.Value, TimeSpan.FromSeconds(100), TimeSpan.FromMinutes(2));
        Assert.Empty(await fixture.Simulator.Inspector.GetRequestsAsync());
        // The work was not even received (no hold to keep, no dequeue counted), and the wake for the pause's end is
        // written, hidden until then.
        var queued = Assert.Single((await _host.Queues.Realtime.PeekMessagesAsync()).Value);
        Assert.Equal(0, queued.DequeueCount);
        var wakes = _host.App.Services.GetRequiredService<DrainWakeups>().Queue;
        Assert.Equal(1, (await wakes.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty((await wakes.PeekMessagesAsync()).Value);
    }

    [Fact]
    public async Task While_one_instance_drains_a_run_started_on_another_returns_at_once()
    {
        await using var other = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, configureServices: GatewayHost.WithoutDrain);
        for (var i = 0; i < 20; i++)
        {
            await _host.Queues.EnqueueAsync(Update($"44770094{i:D4}"));
        }
        var draining = Drain.RunAsync(CancellationToken.None);
        await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetRequestsAsync(), r => r.Count > 0, "the first call");

        var watch = Stopwatch.StartNew();
        var elsewhere = await other.App.Services.GetRequiredService<OperationDrain>().RunAsync(CancellationToken.None);

        Assert.Equal(DrainExitReason.NotLeader, elsewhere.Reason);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        Assert.Equal(DrainExitReason.Idle, (await draining).Reason);
        Assert.Equal(20, (await fixture.Simulator.Inspector.GetRequestsAsync()).Count(r => r.StatusCode == 200));
    }

    private static OperationEnvelope Update(string phone) => new()
    {
        OperationId = Guid.NewGuid().ToString("N"),
        PhoneNumber = phone,
        Steps = [OperationStep.UpdateAttributes(new JsonObject { ["drain"] = 1 })],
        Source = "api",
        Lane = Lane.Realtime,
        ReceivedAt = DateTimeOffset.UtcNow,
        CorrelationId = Guid.NewGuid().ToString("N"),
    };
}
