using System.Globalization;
using System.Security.Cryptography;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// The common "HMAC-SHA256 of the body in a header" family: GitHub (<c>X-Hub-Signature-256: sha256=&lt;hex&gt;</c>),
/// Shopify (<c>X-Shopify-Hmac-Sha256: &lt;base64&gt;</c>), and senders that also sign a timestamp header
/// (<c>{timestamp}.{body}</c>, Unix seconds). The key is the secret's UTF-8 bytes, as those senders use it.
/// </summary>
public sealed class HmacSha256Verifier : IWebhookVerifier
{
    public string Scheme => VerificationSchemes.HmacSha256;

    public SignatureCheck Prepare(WebhookRequest request, VerificationSettings settings, DateTimeOffset now)
    {
        var hmac = (HmacSha256Settings)settings;
        var headerValue = request.Headers[hmac.Header];
        if (headerValue is null)
        {
            return SignatureCheck.Reject(Scheme, VerificationFailure.MissingHeader, $"the {hmac.Header} header is missing");
        }
        headerValue = headerValue.Trim();
        if (!headerValue.StartsWith(hmac.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return SignatureCheck.Reject(Scheme, VerificationFailure.MalformedHeader, $"{hmac.Header} does not start with \"{hmac.Prefix}\"");
        }
        var encoded = headerValue[hmac.Prefix.Length..];
        byte[] presented;
        if (hmac.Encoding == SignatureEncoding.Hex)
        {
            try
            {
                presented = Convert.FromHexString(encoded);
            }
            catch (FormatException)
            {
                return SignatureCheck.Reject(Scheme, VerificationFailure.MalformedHeader, $"{hmac.Header} is not hex");
            }
        }
        else if (!SignatureMath.TryDecodeBase64(encoded, out presented))
        {
            return SignatureCheck.Reject(Scheme, VerificationFailure.MalformedHeader, $"{hmac.Header} is not base64");
        }

        ReadOnlyMemory<byte> signedPrefix = ReadOnlyMemory<byte>.Empty;
        if (hmac.TimestampHeader is { } timestampHeader)
        {
            var timestampText = request.Headers[timestampHeader];
            if (timestampText is null)
            {
                return SignatureCheck.Reject(Scheme, VerificationFailure.MissingHeader, $"the {timestampHeader} header is missing");
            }
            if (!long.TryParse(timestampText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                return SignatureCheck.Reject(Scheme, VerificationFailure.MalformedHeader, $"{timestampHeader} is not a Unix time in seconds");
            }
            if (SignatureMath.CheckTimestamp(Scheme, timestampHeader, DateTimeOffset.FromUnixTimeSeconds(seconds), now, hmac.Tolerance) is { } timing)
            {
                return timing;
            }
            signedPrefix = SignatureMath.Utf8(timestampText.Trim() + ".");
        }

        return new SignatureCheck.Ready(
            secret =>
            {
                var expected = SignatureMath.HmacSha256(System.Text.Encoding.UTF8.GetBytes(secret), signedPrefix, request.Body);
                return CryptographicOperations.FixedTimeEquals(expected, presented) ? SecretMatch.Match : SecretMatch.NoMatch;
            },
            $"{hmac.Header} does not match the configured secret");
    }
}
