using System.Text.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.Operations;
using Libromi.Simulator.Inspection;

namespace Libromi.Gateway.EndToEnd.Fleet;

public sealed class CoalescingTests : IAsyncLifetime
{
    private const string Phone = "4477009700001";
    private FleetFixture _fleet = null!;

    public async Task InitializeAsync() => _fleet = await FleetFixture.StartAsync();

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

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
        await Eventually.WaitForAsync(() => _fleet.Simulator.Inspector.GetContactsAsync(), contacts => HasValue(contacts, Phone, "n", 9), "the last update");
        var requests = await _fleet.WaitForQuietAsync();

        var puts = requests.Where(r => r.Method == "PUT").ToArray();
        Assert.InRange(puts.Length, 1, 3);
        Assert.All(puts, put => Assert.Equal(200, put.StatusCode));
        var contact = (await _fleet.Simulator.Inspector.GetContactsAsync()).Single(c => c.PhoneNumber == Phone);
        var expected = new Dictionary<string, int> { ["n"] = 9, ["k0"] = 9, ["k1"] = 7, ["k2"] = 8 };
        Assert.Equal(expected, contact.Attributes.ToDictionary(a => a.Key, a => a.Value.GetInt32()));
        Assert.Empty(await gateway.PeekDeadLettersAsync());
        Assert.Equal(0, (await gateway.Queues.Realtime.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Contains(gateway.Logs.GetSnapshot(), log => log.Id.Name == "OperationsCoalesced");
    }

    [Fact]
    public async Task A_backlog_spread_over_many_receives_costs_about_one_call_per_contact_and_the_last_value_wins()
    {
        // Round-robin, as a CRM's edits arrive interleaved: 100 messages are seven receives of 16, and no receive
        // holds more than four updates for one contact.
        const int Contacts = 4, Rounds = 25;
        var phones = Enumerable.Range(1, Contacts).Select(c => $"44770098{c:00000}").ToArray();
        await _fleet.EnqueueAsync(
            from round in Enumerable.Range(0, Rounds)
            from phone in phones
            select FleetFixture.Update(phone, new JsonObject { [$"a{round}"] = round, ["last"] = round }));

        await using var gateway = await _fleet.StartHostAsync();
        await Eventually.WaitForAsync(() => _fleet.Simulator.Inspector.GetContactsAsync(),
            contacts => phones.All(phone => HasValue(contacts, phone, "last", Rounds - 1)), "every contact's last update");
        var requests = await _fleet.WaitForQuietAsync();

        var puts = requests.Where(r => r.Method == "PUT").ToArray();
        Assert.InRange(puts.Length, Contacts, 2 * Contacts);
        Assert.All(puts, put => Assert.Equal(200, put.StatusCode));
        var contacts = (await _fleet.Simulator.Inspector.GetContactsAsync()).Where(c => phones.Contains(c.PhoneNumber)).ToArray();
        Assert.Equal(Contacts, contacts.Length);
        Assert.All(contacts, contact =>
        {
            Assert.All(Enumerable.Range(0, Rounds), round => Assert.Equal(round, contact.Attributes[$"a{round}"].GetInt32()));
            Assert.Equal(Rounds - 1, contact.Attributes["last"].GetInt32());
        });
        // The calls saved, as logged (the metric is counted on the same line), add up to the calls the merges replaced.
        var saved = gateway.Logs.GetSnapshot().Where(log => log.Id.Name == "OperationsCoalesced")
            .Sum(log => int.Parse(log.StructuredState!.Single(kv => kv.Key == "CallsSaved").Value!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Contacts * Rounds - puts.Length, saved);
        Assert.Empty(await gateway.PeekDeadLettersAsync());
        Assert.Equal(0, (await gateway.Queues.Realtime.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task An_upsert_with_a_staff_email_between_two_updates_keeps_its_place_for_that_contact()
    {
        await _fleet.Simulator.Inspector.SeedConversationAsync(Phone);
        await _fleet.Simulator.Inspector.ClearRequestsAsync();
        await _fleet.EnqueueAsync(
        [
            FleetFixture.Update(Phone, new JsonObject { ["n"] = 1, ["first"] = true }),
            FleetFixture.Update(Phone, new JsonObject { ["n"] = 2 }) with
            {
                Steps = [OperationStep.UpdateAttributes(new JsonObject { ["n"] = 2 }), OperationStep.AssignStaff(SimulatorFixture.StaffEmail)],
            },
            FleetFixture.Update(Phone, new JsonObject { ["n"] = 3 }),
        ]);

        await using var gateway = await _fleet.StartHostAsync();
        await Eventually.WaitForAsync(() => _fleet.Simulator.Inspector.GetContactsAsync(), contacts => HasValue(contacts, Phone, "n", 3), "the update after the assignment");
        var requests = await _fleet.WaitForQuietAsync();

        // The updates before the assignment share one call ahead of it; the one after it follows it.
        Assert.Equal(["attributes", "assign-staff", "attributes"], requests.Select(r => r.Path.Split('/')[^1]).ToArray());
        Assert.All(requests, request => Assert.Equal(200, request.StatusCode));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"n": 2, "first": true}"""), JsonNode.Parse(requests[0].Body)));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"n": 3}"""), JsonNode.Parse(requests[2].Body)));
        var contact = await _fleet.Simulator.Inspector.GetContactAsync(Phone);
        Assert.Equal((3, SimulatorFixture.StaffEmail), (contact!.Attributes["n"].GetInt32(), contact.AssignedStaff));
    }

    // Waiting for the final state first: "quiet" alone (a second without requests) can pass before a loaded machine's
    // host has made its first call, since the listener reads the whole backlog before it starts anything.
    private static bool HasValue(IEnumerable<ContactState> contacts, string phone, string attribute, int value) =>
        contacts.Any(c => c.PhoneNumber == phone && c.Attributes.TryGetValue(attribute, out var v) && v.ValueKind == JsonValueKind.Number && v.GetInt32() == value);
}
