namespace Libromi.Gateway.Webhooks;

/// <summary>
/// The <c>verify</c> block of an integration. <c>Secret</c> and <c>PreviousSecret</c> are names resolved through
/// <see cref="Secrets.ISecretSource"/>, never values. <c>previous_secret</c> exists for zero-downtime rotation on the
/// gateway's side: it is read only when the current secret does not match.
/// </summary>
public abstract record VerificationSettings(string Secret, string? PreviousSecret)
{
    /// <summary>The scheme's name, as in the file and in a 401's problem.</summary>
    public abstract string Scheme { get; }

    /// <summary>The scheme these settings belong to: its verifier, default delivery identity and challenge.</summary>
    public VerificationScheme SchemeType => VerificationScheme.Find(Scheme)
        ?? throw new InvalidOperationException($"No verification scheme is named {Scheme}.");

    public IEnumerable<string> SecretNames()
    {
        yield return Secret;
        if (PreviousSecret is not null)
        {
            yield return PreviousSecret;
        }
    }
}

public static class VerificationSchemes
{
    public const string StandardWebhooks = "standard-webhooks";
    public const string HmacSha256 = "hmac-sha256";
    public const string HubSpotV3 = "hubspot-v3";
    public const string Basic = "basic";
    public const string HeaderToken = "header-token";

    /// <summary>Every scheme's name, in the order of <see cref="VerificationScheme.All"/>.</summary>
    public static IReadOnlyList<string> All => [.. VerificationScheme.All.Select(s => s.Name)];
}
