using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.Queueing;
using Libromi.Simulator.Faults;

namespace Libromi.Gateway.EndToEnd.Fleet;

/// <summary>
/// Messages a host holds (waiting for their group to start, or running) stay its own: holds shorter than the wait
/// are renewed, and a stopping host hands back what it had not started. Real clocks throughout, because visibility
/// timeouts run on storage's clock; Libromi answers slowly so each message is held through several renewals.
/// </summary>
public sealed class HeldMessageHoldTests : IAsyncLifetime
{
    private const int Contacts = 12;
    private readonly AzuriteFixture _azurite = new();
    private SimulatorFixture _simulator = null!;

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        _simulator = await SimulatorFixture.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    [Fact]
    public async Task Held_messages_never_reappear_to_another_instance_while_they_wait_longer_than_their_hold()
    {
        // Four groups run at a time and each call takes 2.5 s: the last four messages are held about 5 s before they
        // start and 7.5 s in all, nearly four 2-second holds.
        await _simulator.Inspector.SetFaultsAsync(new FaultSettings { LatencyMs = 2500 });
        await EnqueueAsync();
        var hold = TimeSpan.FromSeconds(2);
        var settings = HoldingSettings(hold);

        await using var holder = await GatewayHost.StartAsync(_azurite, _simulator, settings);
        await Eventually.WaitForAsync(VisibleAsync, visible => visible == 0, "the first host to hold every message");
        // Another instance polling the same queue: it would take any message whose hold lapsed, and deliver it again.
        await using var other = await GatewayHost.StartAsync(_azurite, _simulator, settings);

        var mostVisible = 0;
        var started = DateTime.UtcNow;
        while ((await _simulator.Inspector.GetRequestsAsync()).Count(r => r.StatusCode == 200) < Contacts)
        {
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), "the backlog was not delivered within a minute");
            mostVisible = Math.Max(mostVisible, await VisibleAsync());
            await Task.Delay(100);
        }

        var requests = await _simulator.Inspector.GetRequestsAsync();
        Assert.Equal(0, mostVisible);
        Assert.True(DateTime.UtcNow - started > 2 * hold, "the messages should have been held for longer than two holds");
        Assert.Equal(Contacts, requests.Count);
        Assert.Equal(Contacts, requests.Select(r => r.Path).Distinct().Count());
        Assert.DoesNotContain(holder.Logs.GetSnapshot(), log => log.Id.Name is "HeldMessageHoldLost" or "HeldMessageHoldNotRenewed");
        Assert.Equal(0, (await holder.Queues.Realtime.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_stopping_host_hands_back_the_messages_it_had_not_started_at_once()
    {
        // Calls take long enough that the first four groups are still running when the host stops.
        await _simulator.Inspector.SetFaultsAsync(new FaultSettings { LatencyMs = 8000 });
        await EnqueueAsync();
        var holder = await GatewayHost.StartAsync(_azurite, _simulator, HoldingSettings(TimeSpan.FromMinutes(5)));
        try
        {
            await Eventually.WaitForAsync(VisibleAsync, visible => visible == 0, "the host to hold every message");
            await Task.Delay(500);
        }
        finally
        {
            await holder.DisposeAsync();
        }

        // The eight never started are visible at once; the four cut off mid-call keep their hold (a call may have reached Libromi).
        Assert.Equal(Contacts - 4, await VisibleAsync());
        Assert.Contains(holder.Logs.GetSnapshot(), log => log.Id.Name == "HeldMessagesReleased");
    }

    private static Dictionary<string, string?> HoldingSettings(TimeSpan hold) => new()
    {
        ["Queues:MessageHold"] = hold.ToString(),
        // Four groups at a time: with 12 messages, eight wait while four run.
        ["Queues:BatchSize"] = "4",
        ["Queues:NewBatchThreshold"] = "0",
        ["Libromi:AttemptTimeout"] = "00:00:15",
        ["Libromi:TotalTimeout"] = "00:00:30",
    };

    /// <summary>One attribute update for each of twelve contacts: nothing to merge, so every message is a group.</summary>
    private async Task EnqueueAsync()
    {
        var queues = new OperationQueues(_azurite.CreateQueueServiceClient());
        await queues.EnsureCreatedAsync();
        for (var contact = 0; contact < Contacts; contact++)
        {
            await queues.EnqueueAsync(FleetFixture.Update($"44770096{contact:00000}", new JsonObject { ["n"] = contact }));
        }
    }

    /// <summary>Messages another instance could receive now (a peek sees only visible ones).</summary>
    private async Task<int> VisibleAsync() =>
        (await _azurite.CreateQueueServiceClient().GetQueueClient(QueueNames.Realtime).PeekMessagesAsync(maxMessages: 32)).Value.Length;
}
