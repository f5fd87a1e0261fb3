using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;

namespace Libromi.Gateway.Secrets;

/// <summary>
/// Secrets from Azure Key Vault. Always reads the latest version; caching is the caller's business (the token
/// provider caches, because it knows when a value has gone stale).
/// </summary>
public sealed class KeyVaultSecretSource(SecretClient client) : ISecretSource
{
    public const string SourceKind = "key-vault";

    public string Kind => SourceKind;

    public async ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        try
        {
            KeyVaultSecret secret = await client.GetSecretAsync(name, version: null, cancellationToken).ConfigureAwait(false);
            return secret.Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            // Status 0 means no response at all (connection refused, DNS, TLS, timeout after retries).
            // The inner exception is kept for diagnostics: it carries the vault's error body, never a secret value.
            var reason = e.Status == 0
                ? $"{client.VaultUri} did not answer"
                : $"{client.VaultUri} answered {e.Status} {e.ErrorCode}";
            throw new SecretStoreUnavailableException(name, SourceKind, reason, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Azure.Core reports its own network timeout as a cancellation the caller did not ask for.
            throw new SecretStoreUnavailableException(name, SourceKind, $"{client.VaultUri} timed out", e);
        }
        catch (AuthenticationFailedException e)
        {
            throw new SecretStoreUnavailableException(
                name, SourceKind, $"no access token for {client.VaultUri} (check the managed identity or DefaultAzureCredential sources)", e);
        }
    }
}
