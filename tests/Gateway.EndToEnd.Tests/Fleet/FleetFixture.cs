using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Processing;
using Libromi.Gateway.Queueing;
using Libromi.Simulator.Inspection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.EndToEnd.Fleet;

/// <summary>
/// Several standalone hosts on one Azurite and one simulator, all on one fake clock: a minute passes when the
/// test says so, while queues, tables and HTTP stay real.
/// </summary>
internal sealed class FleetFixture(AzuriteFixture azurite, SimulatorFixture simulator, FakeTimeProvider clock)
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public SimulatorFixture Simulator => simulator;

    public Task<GatewayHost> StartHostAsync(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Processing:MaxPermitWait"] = "00:00:05",
            // A host that dies holds its messages this long (real time) before another host sees them.
            ["Queues:MessageLease"] = "00:00:03",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return GatewayHost.StartAsync(azurite, simulator, settings, services => services.AddKeyedSingleton<TimeProvider>(GatewayClock.Key, clock));
    }

    /// <summary>Queues operations straight into storage, as if accepted before any host was running.</summary>
    public async Task EnqueueAsync(IEnumerable<OperationEnvelope> envelopes)
    {
        var queues = new OperationQueues(azurite.CreateQueueServiceClient());
        await queues.EnsureCreatedAsync();
        foreach (var envelope in envelopes)
        {
            await queues.EnqueueAsync(envelope);
        }
    }

    public static OperationEnvelope Update(string phone, JsonObject attributes, Lane lane = Lane.Realtime, string? id = null) => new()
    {
        OperationId = id ?? Guid.NewGuid().ToString("N"),
        PhoneNumber = phone,
        Steps = [OperationStep.UpdateAttributes(attributes)],
        Source = lane == Lane.Bulk ? "import:fleet" : "api",
        Lane = lane,
        ReceivedAt = Start,
        CorrelationId = Guid.NewGuid().ToString("N"),
    };

    /// <summary>
    /// Waits until the simulator has seen no new request for a second of real time; when none has come at all, for at
    /// least <see cref="FirstRequestGrace"/>, because a host on a loaded machine (a CI run of the whole suite) can take
    /// longer than a second to read its backlog and make its first call.
    /// </summary>
    public async Task<IReadOnlyList<RecordedRequest>> WaitForQuietAsync()
    {
        var started = DateTime.UtcNow;
        var initial = await simulator.Inspector.GetRequestsAsync();
        var last = initial;
        var stableSince = started;
        while (DateTime.UtcNow - stableSince < TimeSpan.FromSeconds(1)
            || (last.Count == initial.Count && DateTime.UtcNow - started < FirstRequestGrace))
        {
            await Task.Delay(100);
            var now = await simulator.Inspector.GetRequestsAsync();
            if (now.Count != last.Count)
            {
                last = now;
                stableSince = DateTime.UtcNow;
            }
        }
        return last;
    }

    private static readonly TimeSpan FirstRequestGrace = TimeSpan.FromSeconds(3);

    public static int Delivered(IReadOnlyList<RecordedRequest> requests) => requests.Count(r => r.StatusCode == 200);
}
