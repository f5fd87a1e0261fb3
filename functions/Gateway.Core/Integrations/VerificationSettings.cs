namespace Libromi.Gateway.Integrations;

/// <summary>
/// The <c>verify</c> block of an integration. <c>Secret</c> and <c>PreviousSecret</c> are names resolved through
/// <see cref="Secrets.ISecretSource"/>, never values. <c>previous_secret</c> exists for zero-downtime rotation on the
/// gateway's side: it is read only when the current secret does not match.
/// </summary>
public abstract record VerificationSettings(string Secret, string? PreviousSecret)
{
    public abstract string Scheme { get; }

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

    public static readonly IReadOnlyList<string> All = [StandardWebhooks, HmacSha256, HubSpotV3, Basic, HeaderToken];
}

/// <summary>Standard Webhooks: <c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>; secret <c>whsec_</c> + base64.</summary>
public sealed record StandardWebhooksSettings(string Secret, string? PreviousSecret, TimeSpan Tolerance)
    : VerificationSettings(Secret, PreviousSecret)
{
    public override string Scheme => VerificationSchemes.StandardWebhooks;
}

public enum SignatureEncoding { Hex, Base64 }

/// <summary>
/// HMAC-SHA256 of the raw body in a configurable header (GitHub: <c>X-Hub-Signature-256</c>, hex, prefix <c>sha256=</c>;
/// Shopify: <c>X-Shopify-Hmac-Sha256</c>, base64, no prefix). With a timestamp header the signed content is
/// <c>{timestamp}.{body}</c>.
/// </summary>
public sealed record HmacSha256Settings(
    string Secret,
    string? PreviousSecret,
    string Header,
    SignatureEncoding Encoding,
    string Prefix,
    string? TimestampHeader,
    TimeSpan Tolerance)
    : VerificationSettings(Secret, PreviousSecret)
{
    public override string Scheme => VerificationSchemes.HmacSha256;
}

/// <summary>HubSpot request signature v3; <c>PublicBaseUrl</c> replaces scheme and host when the gateway sits behind a proxy.</summary>
public sealed record HubSpotV3Settings(string Secret, string? PreviousSecret, Uri? PublicBaseUrl)
    : VerificationSettings(Secret, PreviousSecret)
{
    public override string Scheme => VerificationSchemes.HubSpotV3;
}

/// <summary>HTTP Basic credentials (Pipedrive webhooks); the secret is the password.</summary>
public sealed record BasicAuthSettings(string Secret, string? PreviousSecret, string Username)
    : VerificationSettings(Secret, PreviousSecret)
{
    public override string Scheme => VerificationSchemes.Basic;
}

/// <summary>A shared token in a header (Zapier/Make/n8n webhook actions that can add a header but cannot sign).</summary>
public sealed record HeaderTokenSettings(string Secret, string? PreviousSecret, string Header)
    : VerificationSettings(Secret, PreviousSecret)
{
    public override string Scheme => VerificationSchemes.HeaderToken;
}
