using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Libromi.Gateway.Libromi;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Secrets;

public static class SecretsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ISecretSource"/> and <see cref="ILibromiTokenProvider"/>. With <c>KeyVault:VaultUri</c>
    /// set, secrets come from Key Vault through a <see cref="SecretClient"/> registered with
    /// <c>AddAzureClients</c>, authenticated by a <see cref="TokenCredential"/> registered in the container if
    /// there is one, else by <see cref="DefaultAzureCredential"/> (managed identity in Azure). Without it, secrets
    /// come from configuration (<see cref="ConfigurationSecretSource"/>), for local development.
    /// </summary>
    /// <remarks>
    /// The choice is made here, at composition time: switching between vault and configuration needs a restart,
    /// while values are read when needed. <see cref="LibromiClientOptions"/> is bound and validated here unless
    /// the composition bound it before, so calling this after the Libromi client's registration adds nothing twice.
    /// </remarks>
    public static IServiceCollection AddGatewaySecrets(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<KeyVaultOptions>()
            .Bind(configuration.GetSection(KeyVaultOptions.SectionName))
            .Validate(o => o.VaultUri is null || (o.VaultUri.IsAbsoluteUri && o.VaultUri.Scheme == Uri.UriSchemeHttps),
                "KeyVault__VaultUri must be an absolute https URI such as https://my-vault.vault.azure.net/.")
            .ValidateOnStart();

        if (!services.Any(d => d.ServiceType == typeof(IConfigureOptions<LibromiClientOptions>)))
        {
            services.AddOptions<LibromiClientOptions>()
                .Bind(configuration.GetSection(LibromiClientOptions.SectionName))
                .ValidateDataAnnotations()
                .ValidateOnStart();
        }

        services.TryAddSingleton(TimeProvider.System);

        var vaultUri = ReadVaultUri(configuration);
        if (vaultUri is not null)
        {
            services.AddAzureClients(clients => clients
                .AddSecretClient(vaultUri)
                .ConfigureOptions((options, provider) =>
                {
                    foreach (var customization in provider.GetServices<SecretClientCustomization>())
                    {
                        customization.Configure(options);
                    }
                })
                // The credential is set on this client only (not UseCredential, which is global) so the storage
                // clients other parts register through AddAzureClients keep their own.
                .WithCredential(provider => provider.GetService<TokenCredential>() ?? new DefaultAzureCredential()));

            services.TryAddSingleton<ISecretSource>(provider => new KeyVaultSecretSource(provider.GetRequiredService<SecretClient>()));
        }
        else
        {
            services.TryAddSingleton<ISecretSource>(provider => new ConfigurationSecretSource(configuration));
        }

        services.TryAddSingleton<ILibromiTokenProvider, LibromiTokenProvider>();
        return services;
    }

    /// <summary>
    /// Adjusts the <see cref="SecretClientOptions"/> of the vault client <see cref="AddGatewaySecrets"/> registers:
    /// transport, retries, <see cref="SecretClientOptions.DisableChallengeResourceVerification"/>. Meant for hosts
    /// with special networking and for tests that point the client at a local vault; may be called before or after
    /// <see cref="AddGatewaySecrets"/>, and several times (applied in order).
    /// </summary>
    public static IServiceCollection ConfigureGatewaySecretClient(this IServiceCollection services, Action<SecretClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddSingleton(new SecretClientCustomization(configure));
        return services;
    }

    // Decided at composition time, so a malformed value fails here with the setting's name rather than as a
    // DNS error at the first delivery.
    private static Uri? ReadVaultUri(IConfiguration configuration)
    {
        var value = configuration[$"{KeyVaultOptions.SectionName}:{nameof(KeyVaultOptions.VaultUri)}"];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
            ? uri
            : throw new InvalidOperationException(
                $"KeyVault__VaultUri '{value}' is not an absolute https URI such as https://my-vault.vault.azure.net/.");
    }

    private sealed record SecretClientCustomization(Action<SecretClientOptions> Configure);
}
