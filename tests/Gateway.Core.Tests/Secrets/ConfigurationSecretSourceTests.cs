using Libromi.Gateway.Secrets;
using Microsoft.Extensions.Configuration;

namespace Libromi.Gateway.Tests.Secrets;

public sealed class ConfigurationSecretSourceTests
{
    private static IConfigurationRoot Configuration(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, s.Value)))
            .Build();

    [Fact]
    public async Task Token_secret_name_resolves_to_Libromi_ApiToken()
    {
        var source = new ConfigurationSecretSource(Configuration(("Libromi:ApiToken", "local-token-1")));

        Assert.Equal("local-token-1", await source.GetSecretAsync("libromi-api-token"));
        Assert.Equal("configuration", source.Kind);
    }

    [Fact]
    public async Task A_renamed_token_secret_still_resolves_to_Libromi_ApiToken()
    {
        var source = new ConfigurationSecretSource(Configuration(
            ("Libromi:TokenSecretName", "libromi-prod-token"),
            ("Libromi:ApiToken", "local-token-2")));

        Assert.Equal("local-token-2", await source.GetSecretAsync("libromi-prod-token"));
        Assert.Null(await source.GetSecretAsync("libromi-api-token"));
    }

    [Fact]
    public async Task Any_secret_name_resolves_under_Gateway_Secrets()
    {
        var source = new ConfigurationSecretSource(Configuration(
            ("Gateway:Secrets:hubspot-signing-secret", "whsec-123"),
            ("Libromi:ApiToken", "local-token-3")));

        Assert.Equal("whsec-123", await source.GetSecretAsync("hubspot-signing-secret"));
    }

    [Fact]
    public async Task Token_falls_back_to_Gateway_Secrets_when_ApiToken_is_not_set()
    {
        var source = new ConfigurationSecretSource(Configuration(("Gateway:Secrets:libromi-api-token", "local-token-4")));

        Assert.Equal("local-token-4", await source.GetSecretAsync("libromi-api-token"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public async Task Unset_or_blank_secrets_are_absent(string? value)
    {
        var source = new ConfigurationSecretSource(Configuration(
            ("Gateway:Secrets:shop-secret", value),
            ("Libromi:ApiToken", value)));

        Assert.Null(await source.GetSecretAsync("shop-secret"));
        Assert.Null(await source.GetSecretAsync("libromi-api-token"));
        Assert.Null(await source.GetSecretAsync("never-configured"));
    }

    [Fact]
    public async Task Values_are_read_when_asked_so_configuration_changes_apply()
    {
        var configuration = Configuration(("Libromi:ApiToken", "before"));
        var source = new ConfigurationSecretSource(configuration);
        Assert.Equal("before", await source.GetSecretAsync("libromi-api-token"));

        configuration["Libromi:ApiToken"] = "after";
        configuration["Gateway:Secrets:late-secret"] = "late";

        Assert.Equal("after", await source.GetSecretAsync("libromi-api-token"));
        Assert.Equal("late", await source.GetSecretAsync("late-secret"));
    }
}
