using System.Net;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Webhooks;

namespace Libromi.Gateway.EndToEnd.Hooks;

/// <summary>The integrations file is checked when the host starts, not at the first delivery.</summary>
public sealed class IntegrationsFileStartupTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Invalid_integrations_file_fails_start_up_naming_the_field()
    {
        const string invalid = """
        { "integrations": { "crm": { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
                                     "operations": [ { "upsert_contact": { "phone_number": "phone", "atributes": {} } } ] } } }
        """;

        var failure = await Assert.ThrowsAsync<IntegrationsFileException>(() => HookGateway.StartAsync(fixture, invalid));

        Assert.Contains("integrations.crm.verify.secret", failure.Message, StringComparison.Ordinal);
        Assert.Contains("atributes", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scenario_the_host_does_not_configure_fails_start_up_naming_the_operation()
    {
        const string unconfigured = """
        { "integrations": { "crm": { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "crm-token" },
                                     "operations": [ { "upsert_contact": { "phone_number": "phone" } },
                                                     { "trigger_scenario": { "scenario": "deal_won", "phone_number": "phone", "fields": { "name": "name" } } } ] } } }
        """;

        var failure = await Assert.ThrowsAsync<IntegrationsFileException>(() => HookGateway.StartAsync(fixture, unconfigured));

        Assert.Contains("integrations.crm.operations[1].trigger_scenario.scenario", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Scenarios__Definitions__deal_won__Secret", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_integrations_file_fails_start_up()
    {
        var failure = await Assert.ThrowsAsync<IntegrationsFileException>(() => Fixtures.GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator,
            new Dictionary<string, string?> { ["Gateway:IntegrationsFile"] = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.json") }));

        Assert.Contains("cannot be read", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_integrations_file_every_hook_is_404_and_start_up_says_so()
    {
        await using var gateway = await Fixtures.GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);

        var response = await Senders.PostAsync(gateway.BaseAddress, "zapier", "{}", "application/json", ("X-Api-Key", HookGateway.ZapierToken));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(gateway.Logs.GetSnapshot(), r => r.Id.Name == "NoIntegrationsFile");
    }

    [Fact]
    public async Task Edited_integrations_file_is_reloaded_without_a_restart()
    {
        var folder = Directory.CreateTempSubdirectory("hooks-reload-").FullName;
        var file = Path.Combine(folder, "integrations.json");
        await File.WriteAllTextAsync(file, """{ "integrations": {} }""");
        await using var gateway = await Fixtures.GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?>
        {
            ["Gateway:IntegrationsFile"] = file,
            ["Gateway:Secrets:zapier-token"] = HookGateway.ZapierToken,
        });
        var body = $$"""{"phone":"{{WebhookDeliveryTests.NewPhone()}}"}""";
        Assert.Equal(HttpStatusCode.NotFound, (await Senders.PostAsync(gateway.BaseAddress, "zapier", body, "application/json", ("X-Api-Key", HookGateway.ZapierToken))).StatusCode);

        await File.WriteAllTextAsync(file, """
        { "integrations": { "zapier": { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "zapier-token" },
                                        "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] } } }
        """);

        await Fixtures.Eventually.WaitForAsync(
            async () => (await Senders.PostAsync(gateway.BaseAddress, "zapier", body, "application/json", ("X-Api-Key", HookGateway.ZapierToken))).StatusCode,
            status => status == HttpStatusCode.Accepted, "the reloaded integration to accept a delivery", TimeSpan.FromSeconds(15));
    }
}
