using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Hooks;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.EndToEnd.Reliability;

namespace Libromi.Gateway.EndToEnd.Worker;

/// <summary>
/// One Azurite, one simulator and one running Functions worker (with its queue triggers) per test class. The worker
/// and the standalone hosts a test starts for comparison get the same gateway settings: the webhook integrations and
/// secrets, and the bad-input corpus's body limits.
/// </summary>
public sealed class WorkerFixture : IAsyncLifetime
{
    /// <summary>Small pages, so a replay job of a few dozen dead letters takes several <c>replay-jobs</c> messages.</summary>
    public const int ReplayPageSize = 10;

    public PipelineFixture Pipeline { get; } = new();

    public WorkerHost Worker { get; private set; } = null!;

    /// <summary>Gateway settings both hosts run with.</summary>
    public IReadOnlyDictionary<string, string?> GatewaySettings { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Pipeline.InitializeAsync();
        var settings = HookGateway.Settings();
        foreach (var (key, value) in BadInputCorpus.Settings)
        {
            settings[key] = value;
        }
        settings["Replays:PageSize"] = ReplayPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        GatewaySettings = settings;
        Worker = await WorkerHost.StartAsync(Pipeline.Azurite, Pipeline.Simulator, settings);
    }

    /// <summary>
    /// The standalone host with the same settings and no queue listener: what it enqueues can only reach Libromi
    /// through the worker's queue functions.
    /// </summary>
    public Task<GatewayHost> StartStandaloneAsync() =>
        GatewayHost.StartAsync(Pipeline.Azurite, Pipeline.Simulator, GatewaySettings, GatewayHost.WithoutDrain);

    public async Task DisposeAsync()
    {
        if (Worker is not null)
        {
            await Worker.DisposeAsync();
        }
        await Pipeline.DisposeAsync();
    }
}
