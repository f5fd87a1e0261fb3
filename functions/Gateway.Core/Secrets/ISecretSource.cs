namespace Libromi.Gateway.Secrets;

/// <summary>
/// Reads named secrets: from Key Vault when <c>KeyVault__VaultUri</c> is set, else from configuration
/// (<c>Libromi__ApiToken</c> for the Libromi token, <c>Gateway__Secrets__{name}</c> for webhook secrets).
/// Never logs or echoes a value.
/// </summary>
public interface ISecretSource
{
    /// <summary>"key-vault" or "configuration", for health reports.</summary>
    string Kind { get; }

    /// <summary>The secret's current value, or null when no such secret exists.</summary>
    ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken = default);
}
