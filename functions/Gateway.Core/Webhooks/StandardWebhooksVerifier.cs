using System.Globalization;
using System.Security.Cryptography;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// The Standard Webhooks symmetric scheme (standardwebhooks.com, spec v1): HMAC-SHA256 over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c> with the base64 key after <c>whsec_</c>; <c>webhook-signature</c>
/// is a space-separated list of <c>v1,&lt;base64&gt;</c> entries (several during the sender's key rotation; other
/// versions such as the asymmetric <c>v1a</c> are skipped); the timestamp must be within 5 minutes either way.
/// </summary>
/// <remarks>
/// Implemented here rather than with the StandardWebhooks NuGet package (1.1.2): its <c>Verify</c> takes the body as a
/// string (we verify the raw bytes, as the spec requires), reads <c>DateTimeOffset.UtcNow</c> instead of a
/// <see cref="TimeProvider"/> (so neither the published test vector, dated 2021, nor stale/future timestamps can be
/// tested without a real clock), and reports every outcome as one exception type, while we need the reason class.
/// </remarks>
public sealed class StandardWebhooksVerifier : IWebhookVerifier
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    private const string SecretPrefix = "whsec_";

    public string Scheme => VerificationSchemes.StandardWebhooks;

    public string UnusableSecretHint => "the secret is not a Standard Webhooks key (whsec_ followed by base64)";

    public SignatureCheck Prepare(WebhookRequest request, VerificationSettings settings, DateTimeOffset now)
    {
        var tolerance = ((StandardWebhooksSettings)settings).Tolerance;
        var id = request.Headers[IdHeader];
        var timestampText = request.Headers[TimestampHeader];
        var signatureText = request.Headers[SignatureHeader];
        foreach (var (name, value) in new[] { (IdHeader, id), (TimestampHeader, timestampText), (SignatureHeader, signatureText) })
        {
            if (value is null)
            {
                return SignatureCheck.Reject(Scheme, VerificationFailure.MissingHeader, $"the {name} header is missing");
            }
        }

        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return SignatureCheck.Reject(Scheme, VerificationFailure.MalformedHeader, $"{TimestampHeader} is not a Unix time in seconds");
        }
        if (SignatureMath.CheckTimestamp(Scheme, TimestampHeader, DateTimeOffset.FromUnixTimeSeconds(seconds), now, tolerance) is { } timing)
        {
            return timing;
        }

        var candidates = new List<byte[]>();
        foreach (var entry in signatureText!.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = entry.IndexOf(',', StringComparison.Ordinal);
            if (comma > 0 && entry.AsSpan(0, comma).SequenceEqual("v1")
                && SignatureMath.TryDecodeBase64(entry[(comma + 1)..], out var signature))
            {
                candidates.Add(signature);
            }
        }
        if (candidates.Count == 0)
        {
            return SignatureCheck.Reject(Scheme, VerificationFailure.MalformedHeader, $"{SignatureHeader} has no v1,<base64> signature");
        }

        var signedPrefix = SignatureMath.Utf8($"{id}.{timestampText}.");
        return new SignatureCheck.Ready(
            secret =>
            {
                if (!TryDecodeKey(secret, out var key))
                {
                    return SecretMatch.UnusableSecret;
                }
                var expected = SignatureMath.HmacSha256(key, signedPrefix, request.Body);
                // Check every candidate so timing does not reveal which entry matched.
                var matched = false;
                foreach (var candidate in candidates)
                {
                    matched |= CryptographicOperations.FixedTimeEquals(expected, candidate);
                }
                return matched ? SecretMatch.Match : SecretMatch.NoMatch;
            },
            $"no {SignatureHeader} entry matches the configured secret");
    }

    /// <summary>Signs as a Standard Webhooks sender does; used by tests and by the docs' examples.</summary>
    public static string Sign(string secret, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        if (!TryDecodeKey(secret, out var key))
        {
            throw new ArgumentException("not a whsec_ key", nameof(secret));
        }
        var signature = SignatureMath.HmacSha256(key, SignatureMath.Utf8($"{id}.{timestamp.ToString(CultureInfo.InvariantCulture)}."), body.ToArray());
        return "v1," + Convert.ToBase64String(signature);
    }

    // The spec's reference libraries accept the key with or without the whsec_ prefix; so do we.
    private static bool TryDecodeKey(string secret, out byte[] key)
    {
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        return SignatureMath.TryDecodeBase64(encoded.Trim(), out key) && key.Length > 0;
    }
}
