using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// HubSpot request signature v3: <c>X-HubSpot-Signature-v3</c> is base64 HMAC-SHA256, keyed with the app's client
/// secret, of <c>method + uri + body + timestamp</c>, where the timestamp is <c>X-HubSpot-Request-Timestamp</c> in
/// Unix milliseconds. HubSpot rejects nothing older than 5 minutes for us, so we do; we also refuse timestamps more
/// than 5 minutes ahead (a clock that far off is a forgery or a fault either way).
/// </summary>
public sealed class HubSpotV3Verifier : IWebhookVerifier
{
    public const string SignatureHeader = "X-HubSpot-Signature-v3";
    public const string TimestampHeader = "X-HubSpot-Request-Timestamp";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    // HubSpot's "Validate the v3 request signature" decodes exactly these percent-encodings in the URI before signing;
    // everything else stays encoded.
    private static readonly (string Encoded, string Decoded)[] DecodedInUri =
    [
        ("%3A", ":"), ("%2F", "/"), ("%3F", "?"), ("%40", "@"), ("%21", "!"), ("%24", "$"),
        ("%27", "'"), ("%28", "("), ("%29", ")"), ("%2A", "*"), ("%2C", ","), ("%3B", ";"),
    ];

    public string Scheme => VerificationSchemes.HubSpotV3;

    public SignatureCheck Prepare(WebhookRequest request, VerificationSettings settings, DateTimeOffset now)
    {
        var hubSpot = (HubSpotV3Settings)settings;
        var signatureText = request.Headers[SignatureHeader];
        var timestampText = request.Headers[TimestampHeader];
        if (signatureText is null)
        {
            return SignatureCheck.Reject(Scheme, VerificationFailure.MissingHeader, $"the {SignatureHeader} header is missing");
        }
        if (timestampText is null)
        {
            return SignatureCheck.Reject(Scheme, VerificationFailure.MissingHeader, $"the {TimestampHeader} header is missing");
        }
        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return SignatureCheck.Reject(Scheme, VerificationFailure.MalformedHeader, $"{TimestampHeader} is not a Unix time in milliseconds");
        }
        if (SignatureMath.CheckTimestamp(Scheme, TimestampHeader, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds), now, Tolerance) is { } timing)
        {
            return timing;
        }
        if (!SignatureMath.TryDecodeBase64(signatureText.Trim(), out var presented))
        {
            return SignatureCheck.Reject(Scheme, VerificationFailure.MalformedHeader, $"{SignatureHeader} is not base64");
        }

        var head = SignatureMath.Utf8(request.Method.ToUpperInvariant() + SignedUri(request, hubSpot.PublicBaseUrl));
        var tail = SignatureMath.Utf8(timestampText);
        return new SignatureCheck.Ready(
            secret =>
            {
                var expected = SignatureMath.HmacSha256(Encoding.UTF8.GetBytes(secret), head, request.Body, tail);
                return CryptographicOperations.FixedTimeEquals(expected, presented) ? SecretMatch.Match : SecretMatch.NoMatch;
            },
            $"{SignatureHeader} does not match the configured secret");
    }

    /// <summary>
    /// The URI HubSpot signed: the one it called. Behind a proxy that is <c>public_base_url</c> + the path and query the
    /// gateway received, not the gateway's own address.
    /// </summary>
    public static string SignedUri(WebhookRequest request, Uri? publicBaseUrl)
    {
        var uri = publicBaseUrl is null
            ? request.RequestUri.AbsoluteUri
            : publicBaseUrl.AbsoluteUri.TrimEnd('/') + request.Path + request.QueryString;
        return DecodeAsHubSpotDoes(uri);
    }

    public static string DecodeAsHubSpotDoes(string uri)
    {
        var builder = new StringBuilder(uri);
        foreach (var (encoded, decoded) in DecodedInUri)
        {
            builder.Replace(encoded, decoded).Replace(encoded.ToLowerInvariant(), decoded);
        }
        return builder.ToString();
    }

    /// <summary>Signs as HubSpot does; used by tests and by the docs' examples.</summary>
    public static string Sign(string clientSecret, string method, string uri, ReadOnlySpan<byte> body, long timestampMilliseconds)
    {
        var signature = SignatureMath.HmacSha256(
            Encoding.UTF8.GetBytes(clientSecret),
            SignatureMath.Utf8(method + uri),
            body.ToArray(),
            SignatureMath.Utf8(timestampMilliseconds.ToString(CultureInfo.InvariantCulture)));
        return Convert.ToBase64String(signature);
    }
}
