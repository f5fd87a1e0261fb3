using Azure.Security.KeyVault.Secrets;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Tests.Secrets;

public sealed class SecretsServiceCollectionExtensionsTests
{
    private static IConfiguration Configuration(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, s.Value)))
            .Build();

    private static ServiceProvider Build(IConfiguration configuration, Action<IServiceCollection>? before = null)
    {
        var services = new ServiceCollection().AddLogging();
        before?.Invoke(services);
        return services.AddGatewaySecrets(configuration).BuildServiceProvider(validateScopes: true);
    }

    [Fact]
    public async Task Without_a_vault_secrets_and_token_come_from_configuration()
    {
        using var provider = Build(Configuration(("Libromi:ApiToken", "local-token")));

        Assert.IsType<ConfigurationSecretSource>(provider.GetRequiredService<ISecretSource>());
        var tokens = provider.GetRequiredService<ILibromiTokenProvider>();
        Assert.Equal("configuration", tokens.Source);
        Assert.Equal("local-token", await tokens.GetTokenAsync());
        Assert.Null(provider.GetService<SecretClient>());
    }

    [Fact]
    public void With_a_vault_uri_secrets_come_from_a_SecretClient_for_that_vault()
    {
        using var provider = Build(Configuration(("KeyVault:VaultUri", "https://gateway-kv.vault.azure.net/")));

        Assert.IsType<KeyVaultSecretSource>(provider.GetRequiredService<ISecretSource>());
        Assert.Equal(new Uri("https://gateway-kv.vault.azure.net/"), provider.GetRequiredService<SecretClient>().VaultUri);
        Assert.Equal("key-vault", provider.GetRequiredService<ILibromiTokenProvider>().Source);
    }

    [Fact]
    public void Secret_client_customizations_are_applied_in_order()
    {
        var seen = new List<string>();
        using var provider = Build(
            Configuration(("KeyVault:VaultUri", "https://gateway-kv.vault.azure.net/")),
            services => services
                .ConfigureGatewaySecretClient(_ => seen.Add("first"))
                .ConfigureGatewaySecretClient(options =>
                {
                    seen.Add("second");
                    options.DisableChallengeResourceVerification = true;
                }));

        _ = provider.GetRequiredService<SecretClient>();

        Assert.Equal(["first", "second"], seen);
    }

    [Theory]
    [InlineData("not a uri")]
    [InlineData("http://gateway-kv.vault.azure.net/")]
    [InlineData("/relative")]
    public void A_malformed_vault_uri_fails_at_composition_naming_the_setting(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(Configuration(("KeyVault:VaultUri", value))));

        Assert.Contains("KeyVault__VaultUri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Libromi_options_bound_by_the_composition_are_not_bound_twice()
    {
        using var provider = Build(
            Configuration(("Libromi:TokenSecretName", "from-configuration")),
            services => services.Configure<LibromiClientOptions>(o => o.TokenSecretName = "from-composition"));

        Assert.Equal("from-composition", provider.GetRequiredService<IOptions<LibromiClientOptions>>().Value.TokenSecretName);
    }

    [Fact]
    public void Libromi_options_are_bound_when_nobody_else_did()
    {
        using var provider = Build(Configuration(("Libromi:TokenSecretName", "libromi-prod-token")));

        Assert.Equal("libromi-prod-token", provider.GetRequiredService<IOptions<LibromiClientOptions>>().Value.TokenSecretName);
    }
}
