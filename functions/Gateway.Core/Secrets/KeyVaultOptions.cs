namespace Libromi.Gateway.Secrets;

/// <summary>Section <c>KeyVault</c>. Without a vault URI, secrets come from configuration (local development).</summary>
public sealed class KeyVaultOptions
{
    public const string SectionName = "KeyVault";

    public Uri? VaultUri { get; set; }
}
