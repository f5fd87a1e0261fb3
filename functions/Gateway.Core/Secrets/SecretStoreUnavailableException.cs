namespace Libromi.Gateway.Secrets;

/// <summary>
/// The secret store could not be read (network failure, vault error, credential failure). Transient from the
/// caller's point of view: keep the work queued and try again later. The message names the secret and the
/// store, never a value.
/// </summary>
public sealed class SecretStoreUnavailableException(string secretName, string storeKind, string reason, Exception? innerException = null)
    : Exception($"The {storeKind} secret store could not return secret '{secretName}': {reason}", innerException)
{
    /// <summary>The name of the secret that was asked for (a name is not a secret).</summary>
    public string SecretName { get; } = secretName;

    /// <summary>"key-vault" or "configuration".</summary>
    public string StoreKind { get; } = storeKind;
}
