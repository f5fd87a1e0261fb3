using Libromi.Gateway.EndToEnd.Fixtures;

namespace Libromi.Gateway.EndToEnd.Pipeline;

/// <summary>One Azurite and one simulator per test class; each test starts its own gateway host on them.</summary>
public sealed class PipelineFixture : IAsyncLifetime
{
    public AzuriteFixture Azurite { get; } = new();
    public SimulatorFixture Simulator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Azurite.InitializeAsync();
        Simulator = await SimulatorFixture.StartAsync();
    }

    /// <summary>Clears queues, simulator state and log, so a test sees nothing of the previous one.</summary>
    public async Task ResetAsync()
    {
        await Azurite.ClearQueuesAsync();
        await Simulator.Inspector.ResetAsync();
    }

    public async Task DisposeAsync()
    {
        await Simulator.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
