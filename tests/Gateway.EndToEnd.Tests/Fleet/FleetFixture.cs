using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;
using Libromi.Simulator.Inspection;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.EndToEnd.Fleet;

/// <summary>
/// Several standalone hosts on one Azurite and one simulator, all on one fake clock: a minute passes when the
/// test says so, while queues, tables and HTTP stay real.
/// </summary>
internal sealed class FleetFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private FleetFixture(AzuriteFixture azurite, SimulatorFixture simulator, FakeTimeProvider clock) =>
        (Azurite, Simulator, Clock) = (azurite, simulator, clock);

    public AzuriteFixture Azurite { get; }

    public SimulatorFixture Simulator { get; }

    /// <summary>The gateway's and the simulator's clock, starting at <see cref="Start"/>.</summary>
    public FakeTimeProvider Clock { get; }

    /// <summary>A fresh Azurite and a simulator limited to <paramref name="requestsPerMinute"/> (its default when null).</summary>
    public static async Task<FleetFixture> StartAsync(int? requestsPerMinute = null)
    {
        var clock = new FakeTimeProvider(Start);
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var settings = requestsPerMinute is { } limit
            ? new Dictionary<string, string?> { ["Simulator:RequestsPerMinute"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            : null;
        return new FleetFixture(azurite, await SimulatorFixture.StartAsync(settings, clock), clock);
    }

    public async ValueTask DisposeAsync()
    {
        await Simulator.DisposeAsync();
        await Azurite.DisposeAsync();
    }

    public Task<GatewayHost> StartHostAsync(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Processing:MaxPermitWait"] = "00:00:05",
            // A host that dies holds its messages this long (real time) before another host sees them.
            ["Queues:MessageHold"] = "00:00:03",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return GatewayHost.StartAsync(Azurite, Simulator, settings, services => services.AddKeyedSingleton<TimeProvider>(GatewayClock.Key, Clock));
    }

    /// <summary>Queues operations straight into storage, as if accepted before any host was running.</summary>
    public async Task EnqueueAsync(IEnumerable<OperationEnvelope> envelopes)
    {
        var queues = new OperationQueues(Azurite.CreateQueueServiceClient());
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
    /// Waits until the Simulator has seen no new request for a second of real time; when none has come at all, for at
    /// least <see cref="FirstRequestGrace"/>, because a host on a loaded machine (a CI run of the whole suite) can take
    /// longer than a second to read its backlog and make its first call.
    /// </summary>
    public async Task<IReadOnlyList<RecordedRequest>> WaitForQuietAsync()
    {
        var started = DateTime.UtcNow;
        var initial = await Simulator.Inspector.GetRequestsAsync();
        var last = initial;
        var stableSince = started;
        while (DateTime.UtcNow - stableSince < TimeSpan.FromSeconds(1)
            || (last.Count == initial.Count && DateTime.UtcNow - started < FirstRequestGrace))
        {
            await Task.Delay(100);
            var now = await Simulator.Inspector.GetRequestsAsync();
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
