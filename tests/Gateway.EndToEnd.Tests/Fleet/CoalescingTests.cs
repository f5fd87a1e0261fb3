using System.Text.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.EndToEnd.Fleet;

public sealed class CoalescingTests : IAsyncLifetime
{
    private const string Phone = "4477009700001";
    private readonly FakeTimeProvider _clock = new(FleetFixture.Start);
    private readonly AzuriteFixture _azurite = new();
    private SimulatorFixture _simulator = null!;
    private FleetFixture _fleet = null!;

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        _simulator = await SimulatorFixture.StartAsync(null, _clock);
        _fleet = new FleetFixture(_azurite, _simulator, _clock);
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    [Fact]
    public async Task A_burst_of_updates_for_one_contact_costs_far_fewer_calls_and_keeps_every_change()
    {
        var updates = Enumerable.Range(0, 10).Select(i =>
        {
            var attributes = new JsonObject { ["n"] = i, [$"k{i % 3}"] = i };
            if (i == 4) { attributes["nickname"] = "Bo"; }
            if (i == 7) { attributes["nickname"] = null; }
            return FleetFixture.Update(Phone, attributes, id: $"update-{i}");
        }).ToArray();
        await _fleet.EnqueueAsync(updates);

        await using var gateway = await _fleet.StartHostAsync();
        var requests = await _fleet.WaitForQuietAsync();

        var puts = requests.Where(r => r.Method == "PUT").ToArray();
        Assert.InRange(puts.Length, 1, 3);
        Assert.All(puts, put => Assert.Equal(200, put.StatusCode));
        var contact = (await _simulator.Inspector.GetContactsAsync()).Single(c => c.PhoneNumber == Phone);
        var expected = new Dictionary<string, int> { ["n"] = 9, ["k0"] = 9, ["k1"] = 7, ["k2"] = 8 };
        Assert.Equal(expected, contact.Attributes.ToDictionary(a => a.Key, a => a.Value.GetInt32()));
        Assert.Empty(await gateway.PeekDeadLettersAsync());
        Assert.Equal(0, (await gateway.Queues.Realtime.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Contains(gateway.Logs.GetSnapshot(), log => log.Id.Name == "OperationsCoalesced");
    }
}
