using Libromi.Gateway.Libromi;
using Microsoft.Extensions.Configuration;

namespace Libromi.Gateway.Secrets;

/// <summary>
/// Secrets from configuration, for local development without a vault: <c>Libromi:ApiToken</c> answers for the
/// Libromi token's secret name, <c>Gateway:Secrets:{name}</c> for any name. Values are read at call time, so a
/// reloaded configuration applies without a restart.
/// </summary>
public sealed class ConfigurationSecretSource(IConfiguration configuration) : ISecretSource
{
    public const string SourceKind = "configuration";

    /// <summary>Configuration section whose keys are secret names, e.g. <c>Gateway__Secrets__hubspot-signing-secret</c>.</summary>
    public const string SecretsSection = "Gateway:Secrets";

    internal const string ApiTokenKey = LibromiClientOptions.SectionName + ":" + nameof(LibromiClientOptions.ApiToken);
    private const string TokenSecretNameKey = LibromiClientOptions.SectionName + ":" + nameof(LibromiClientOptions.TokenSecretName);
    private static readonly string DefaultTokenSecretName = new LibromiClientOptions().TokenSecretName;

    public string Kind => SourceKind;

    public ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        if (string.Equals(name, TokenSecretName, StringComparison.Ordinal)
            && NonBlank(configuration[ApiTokenKey]) is { } token)
        {
            return ValueTask.FromResult<string?>(token);
        }

        return ValueTask.FromResult(NonBlank(configuration[$"{SecretsSection}:{name}"]));
    }

    private string TokenSecretName => NonBlank(configuration[TokenSecretNameKey]) ?? DefaultTokenSecretName;

    // An empty environment variable is how people "unset" a value in compose files; treat it as absent.
    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
