using System.Text.Json.Nodes;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// HMAC-SHA256 of the raw body in a configurable header (GitHub: <c>X-Hub-Signature-256</c>, hex, prefix <c>sha256=</c>;
/// Shopify: <c>X-Shopify-Hmac-Sha256</c>, base64, no prefix). With a timestamp header the signed content is
/// <c>{timestamp}.{body}</c>.
/// </summary>
public sealed class HmacSha256Scheme : VerificationScheme
{
    public static HmacSha256Scheme Instance { get; } = new();

    /// <summary>The timestamp tolerance when a timestamp header is set and <c>tolerance_seconds</c> is not.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromSeconds(300);

    private HmacSha256Scheme() { }

    public override string Name => VerificationSchemes.HmacSha256;

    public override IReadOnlyList<string> Fields => ["header", "encoding", "prefix", "timestamp_header", "tolerance_seconds"];

    public override IReadOnlyList<string> RequiredFields => ["header", "encoding"];

    public override IWebhookVerifier Verifier { get; } = new HmacSha256Verifier();

    internal override VerificationSettings? ReadSettings(VerifyBlock block, string secret, string? previousSecret)
    {
        var header = block.RequiredHeaderName("header");
        var encodingText = block.RequiredString("encoding");
        SignatureEncoding? encoding = encodingText switch
        {
            "hex" => SignatureEncoding.Hex,
            "base64" => SignatureEncoding.Base64,
            _ => null,
        };
        if (encodingText is not null && encoding is null)
        {
            block.Error("encoding", "must be \"hex\" or \"base64\"");
        }
        var prefix = block.OptionalString("prefix") ?? "";
        var timestampHeader = block.Has("timestamp_header") ? block.RequiredHeaderName("timestamp_header") : null;
        var tolerance = DefaultTolerance;
        if (block.Has("tolerance_seconds"))
        {
            if (!block.Has("timestamp_header"))
            {
                block.Error("tolerance_seconds", "only applies with a timestamp_header");
            }
            else if (block["tolerance_seconds"] is JsonValue v && v.TryGetValue<int>(out var seconds) && seconds is > 0 and <= IntegrationsFile.MaxToleranceSeconds)
            {
                tolerance = TimeSpan.FromSeconds(seconds);
            }
            else
            {
                block.Error("tolerance_seconds", $"must be a whole number of seconds from 1 to {IntegrationsFile.MaxToleranceSeconds}");
            }
        }
        return header is null || encoding is null
            ? null
            : new HmacSha256Settings(secret, previousSecret, header, encoding.Value, prefix, timestampHeader, tolerance);
    }
}

public enum SignatureEncoding { Hex, Base64 }

/// <summary>Settings of <see cref="HmacSha256Scheme"/>.</summary>
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
