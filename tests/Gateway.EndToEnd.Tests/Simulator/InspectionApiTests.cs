using System.Text;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Simulator.Faults;
using Microsoft.Extensions.Time.Testing;
using static Libromi.Gateway.EndToEnd.Simulator.ContractAssert;

namespace Libromi.Gateway.EndToEnd.Simulator;

/// <summary>The test side channel: request log, contact state, reset; and the simulator under concurrent load.</summary>
public sealed class InspectionApiTests
{
    [Fact]
    public async Task The_request_log_records_method_path_token_body_status_and_time()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var simulator = await SimulatorFixture.StartAsync(timeProvider: clock);
        const string body = """{"city": "Quito"}""";
        using var anonymous = simulator.CreateClient(bearerToken: null);

        using (await simulator.Client.PutAsync(AttributesPath("+593 99 123 4567"), Json(body)))
        {
        }

        clock.Advance(TimeSpan.FromSeconds(5));
        using (await anonymous.GetAsync(ContactPath("593991234567") + "?include=all"))
        {
        }

        var requests = await simulator.Inspector.GetRequestsAsync();

        Assert.Equal(2, requests.Count);
        var write = requests[0];
        Assert.Equal("PUT", write.Method);
        Assert.Equal("/api/v1/contact/+593 99 123 4567/attributes", write.Path);
        Assert.Equal(SimulatorFixture.AdminToken, write.BearerToken);
        Assert.Equal(body, write.Body);
        Assert.Equal(200, write.StatusCode);
        Assert.Equal(clock.Start, write.ReceivedAt);
        Assert.StartsWith("application/json", write.Headers["Content-Type"], StringComparison.Ordinal);
        var read = requests[1];
        Assert.True(read.Sequence > write.Sequence);
        Assert.Equal("GET", read.Method);
        Assert.Equal("?include=all", read.Query);
        Assert.Null(read.BearerToken);
        Assert.Equal(string.Empty, read.Body);
        Assert.Equal(401, read.StatusCode);
        Assert.Equal(clock.Start.AddSeconds(5), read.ReceivedAt);
    }

    [Fact]
    public async Task Requests_outside_the_api_base_path_are_logged_and_inspection_calls_are_not()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using var root = new HttpClient { BaseAddress = new Uri(simulator.BaseUrl.Replace("/api/v1", "/", StringComparison.Ordinal)) };

        using (var misrouted = await root.GetAsync("contact/1234567890"))
        {
            Assert.Equal(404, (int)misrouted.StatusCode);
        }

        await simulator.Inspector.GetContactsAsync();

        var logged = Assert.Single(await simulator.Inspector.GetRequestsAsync());
        Assert.Equal("/contact/1234567890", logged.Path);
        Assert.Equal(404, logged.StatusCode);
    }

    [Fact]
    public async Task An_unknown_api_route_is_404_with_a_json_message()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        using var response = await simulator.Client.GetAsync("contacts/search");

        HasExactlyProperties(await StatusAndJsonAsync(response, 404), "message");
    }

    [Fact]
    public async Task Clearing_the_log_keeps_sequence_numbers_increasing()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using (await simulator.Client.GetAsync(ContactPath("1234567890")))
        {
        }

        var before = Assert.Single(await simulator.Inspector.GetRequestsAsync());
        await simulator.Inspector.ClearRequestsAsync();
        Assert.Empty(await simulator.Inspector.GetRequestsAsync());

        using (await simulator.Client.GetAsync(ContactPath("1234567890")))
        {
        }

        Assert.True(Assert.Single(await simulator.Inspector.GetRequestsAsync()).Sequence > before.Sequence);
    }

    [Fact]
    public async Task The_request_description_lists_each_request_with_its_status()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using var anonymous = simulator.CreateClient(bearerToken: null);
        using (await anonymous.GetAsync(ContactPath("1234567890")))
        {
        }

        var description = await simulator.Inspector.DescribeRequestsAsync();

        Assert.Matches(@"^#\d+ GET /api/v1/contact/1234567890 -> 401$", description);
    }

    [Fact]
    public async Task An_empty_attribute_update_changes_nothing()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var simulator = await SimulatorFixture.StartAsync(timeProvider: clock);
        using (await simulator.Client.PutAsync(AttributesPath("1234567890"), Json("""{"city": "Bern"}""")))
        {
        }

        clock.Advance(TimeSpan.FromMinutes(5));
        using (var response = await simulator.Client.PutAsync(AttributesPath("1234567890"), Json("{}")))
        {
            await StatusAndJsonAsync(response, 200);
        }

        var contact = await simulator.Inspector.GetContactAsync("1234567890");
        Assert.Equal(clock.Start, contact!.UpdatedAt);
        Assert.Equal(["city"], contact.Attributes.Keys);
    }

    [Fact]
    public async Task Looking_a_contact_up_through_the_inspection_api_does_not_create_it()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        Assert.Null(await simulator.Inspector.GetContactAsync("+1 555 123 4567"));

        Assert.Empty(await simulator.Inspector.GetContactsAsync());
    }

    [Fact]
    public async Task Reset_clears_contacts_log_and_faults_and_restores_configured_tokens()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using (await simulator.Client.PutAsync(AttributesPath("1234567890"), Json("""{"city": "Bern"}""")))
        {
        }

        await simulator.Inspector.SetFaultsAsync(new FaultSettings { ServerErrorRate = 1 });
        await simulator.Inspector.RevokeTokenAsync(SimulatorFixture.AdminToken);
        await simulator.Inspector.AddTokenAsync("temporary");

        await simulator.Inspector.ResetAsync();

        Assert.Empty(await simulator.Inspector.GetContactsAsync());
        Assert.Empty(await simulator.Inspector.GetRequestsAsync());
        Assert.Equal(FaultSettings.None, await simulator.Inspector.GetFaultsAsync());
        using var temporary = simulator.CreateClient("temporary");
        using (var refused = await temporary.GetAsync(ContactPath("1234567890")))
        {
            Assert.Equal(401, (int)refused.StatusCode);
        }

        using var restored = await simulator.Client.GetAsync(ContactPath("1234567890"));
        Assert.Equal(200, (int)restored.StatusCode);
    }

    [Fact]
    public async Task Concurrent_updates_from_many_clients_all_land_on_one_contact()
    {
        const int writers = 40;
        await using var simulator = await SimulatorFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator__RequestsPerMinute"] = "0",
        });
        var clients = Enumerable.Range(0, 4).Select(_ => simulator.CreateClient(SimulatorFixture.AdminToken)).ToList();
        try
        {
            var statuses = await Task.WhenAll(Enumerable.Range(0, writers).Select(async i =>
            {
                var phone = (i % 2 == 0) ? "+1 (234) 567-890" : "1234567890";
                using var response = await clients[i % clients.Count].PutAsync(
                    AttributesPath(phone),
                    new StringContent($$"""{"field_{{i}}": "value {{i}}"}""", Encoding.UTF8, "application/json"));
                return (int)response.StatusCode;
            }));

            Assert.All(statuses, status => Assert.Equal(200, status));
            var contact = Assert.Single(await simulator.Inspector.GetContactsAsync());
            Assert.Equal(writers, contact.Attributes.Count);
            var requests = await simulator.Inspector.GetRequestsAsync();
            Assert.Equal(writers, requests.Select(request => request.Sequence).Distinct().Count());
        }
        finally
        {
            clients.ForEach(client => client.Dispose());
        }
    }
}
