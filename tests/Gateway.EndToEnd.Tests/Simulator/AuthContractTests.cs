using System.Net.Http.Headers;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Simulator;
using static Libromi.Gateway.EndToEnd.Simulator.ContractAssert;

namespace Libromi.Gateway.EndToEnd.Simulator;

/// <summary>Bearer tokens: 401 for missing, unknown or revoked ones, 403 for writes with a Read Only token.</summary>
public sealed class AuthContractTests
{
    [Fact]
    public async Task A_request_without_a_token_is_refused_with_401_Unauthenticated()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using var anonymous = simulator.CreateClient(bearerToken: null);

        using var response = await anonymous.GetAsync(ContactPath("1234567890"));

        var body = await StatusAndJsonAsync(response, 401);
        HasExactlyProperties(body, "message");
        Assert.Equal("Unauthenticated.", body.GetProperty("message").GetString());
        Assert.Empty(await simulator.Inspector.GetContactsAsync());
    }

    [Fact]
    public async Task An_unknown_token_is_refused_with_401()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using var stranger = simulator.CreateClient("not-a-token");

        using var response = await stranger.PutAsync(AttributesPath("1234567890"), Json("""{"city": "Rome"}"""));

        Assert.Equal("Unauthenticated.", (await StatusAndJsonAsync(response, 401)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_valid_token_under_another_scheme_is_refused_with_401()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using var client = simulator.CreateClient(bearerToken: null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", SimulatorFixture.AdminToken);

        using var response = await client.GetAsync(ContactPath("1234567890"));

        await StatusAndJsonAsync(response, 401);
    }

    [Fact]
    public async Task A_read_only_token_may_read()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using var reader = simulator.CreateClient(SimulatorFixture.ReadOnlyToken);

        using var response = await reader.GetAsync(ContactPath("1234567890"));

        Assert.Equal("SUCCESS", (await StatusAndJsonAsync(response, 200)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Write_with_a_read_only_token_is_refused_with_403_and_changes_nothing()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using var reader = simulator.CreateClient(SimulatorFixture.ReadOnlyToken);

        using var attributes = await reader.PutAsync(AttributesPath("1234567890"), Json("""{"city": "Rome"}"""));
        using var assignment = await reader.PutAsync(AssignStaffPath, Assignment("1234567890", SimulatorFixture.StaffEmail));

        foreach (var response in new[] { attributes, assignment })
        {
            var body = await StatusAndJsonAsync(response, 403);
            Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        }

        Assert.Empty(await simulator.Inspector.GetContactsAsync());
    }

    [Fact]
    public async Task A_revoked_token_is_refused_with_401_from_then_on()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using (var before = await simulator.Client.GetAsync(ContactPath("1234567890")))
        {
            await StatusAndJsonAsync(before, 200);
        }

        await simulator.Inspector.RevokeTokenAsync(SimulatorFixture.AdminToken);

        using var after = await simulator.Client.GetAsync(ContactPath("1234567890"));
        Assert.Equal("Unauthenticated.", (await StatusAndJsonAsync(after, 401)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_token_added_at_run_time_becomes_valid_with_its_permission()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using var rotatedAdmin = simulator.CreateClient("rotated-admin");
        using var rotatedReader = simulator.CreateClient("rotated-reader");
        using (var before = await rotatedAdmin.GetAsync(ContactPath("1234567890")))
        {
            await StatusAndJsonAsync(before, 401);
        }

        await simulator.Inspector.AddTokenAsync("rotated-admin");
        await simulator.Inspector.AddTokenAsync("rotated-reader", readOnly: true);

        using var write = await rotatedAdmin.PutAsync(AttributesPath("1234567890"), Json("""{"city": "Rome"}"""));
        await StatusAndJsonAsync(write, 200);
        using var readOnlyWrite = await rotatedReader.PutAsync(AttributesPath("1234567890"), Json("""{"city": "Milan"}"""));
        await StatusAndJsonAsync(readOnlyWrite, 403);
    }

    [Fact]
    public async Task Revoking_a_token_that_is_not_valid_is_reported_to_the_test()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => simulator.Inspector.RevokeTokenAsync("never-issued"));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Without_configured_tokens_the_development_tokens_are_accepted()
    {
        await using var simulator = await SimulatorFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator__AdminTokens__0"] = null,
            ["Simulator__ReadOnlyTokens__0"] = null,
        });
        using var configured = simulator.CreateClient(SimulatorFixture.AdminToken);
        using var development = simulator.CreateClient(SimulatorOptions.DevelopmentAdminToken);

        using var refused = await configured.GetAsync(ContactPath("1234567890"));
        using var accepted = await development.GetAsync(ContactPath("1234567890"));

        await StatusAndJsonAsync(refused, 401);
        await StatusAndJsonAsync(accepted, 200);
    }
}
