using System.Security.Cryptography;
using System.Text;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// One verification scheme. <see cref="Prepare"/> checks everything that needs no secret (headers present and well
/// formed, timestamp within tolerance) and returns either the failure or a check that tests one secret value, so the
/// caller can try the current and the previous secret without reparsing.
/// </summary>
public interface IWebhookVerifier
{
    string Scheme { get; }

    /// <summary>Said when a secret exists but cannot be used by this scheme; names the expected form, never the value.</summary>
    string UnusableSecretHint => "the secret's value is not usable for this scheme";

    SignatureCheck Prepare(WebhookRequest request, VerificationSettings settings, DateTimeOffset now);
}

public enum SecretMatch { Match, NoMatch, UnusableSecret }

public abstract record SignatureCheck
{
    private SignatureCheck() { }

    public sealed record Rejected(VerificationResult.Failed Failure) : SignatureCheck;

    /// <param name="Matches">Tests one secret value against the delivery, in constant time.</param>
    /// <param name="MismatchDetail">What to say when no secret matches.</param>
    public sealed record Ready(Func<string, SecretMatch> Matches, string MismatchDetail) : SignatureCheck;

    public static Rejected Reject(string scheme, VerificationFailure reason, string detail) =>
        new(new VerificationResult.Failed(scheme, reason, detail));
}

/// <summary>The small pieces several schemes share.</summary>
internal static class SignatureMath
{
    public static byte[] HmacSha256(ReadOnlySpan<byte> key, params ReadOnlyMemory<byte>[] parts)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        foreach (var part in parts)
        {
            hmac.AppendData(part.Span);
        }
        return hmac.GetHashAndReset();
    }

    public static ReadOnlyMemory<byte> Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>
    /// Compares two credentials in constant time including their length, by comparing their SHA-256 digests
    /// (<see cref="CryptographicOperations.FixedTimeEquals"/> alone returns early on a length difference).
    /// </summary>
    public static bool CredentialEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    public static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        bytes = new byte[(text.Length * 3 / 4) + 3];
        if (Convert.TryFromBase64String(text, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }
        bytes = [];
        return false;
    }

    /// <summary>Checks a Unix timestamp against the tolerance both ways; null when it is acceptable.</summary>
    public static SignatureCheck.Rejected? CheckTimestamp(string scheme, string header, DateTimeOffset sent, DateTimeOffset now, TimeSpan tolerance)
    {
        if (now - sent > tolerance)
        {
            return SignatureCheck.Reject(scheme, VerificationFailure.StaleTimestamp,
                $"{header} is more than {tolerance.TotalSeconds:0} s in the past");
        }
        if (sent - now > tolerance)
        {
            return SignatureCheck.Reject(scheme, VerificationFailure.FutureTimestamp,
                $"{header} is more than {tolerance.TotalSeconds:0} s in the future");
        }
        return null;
    }
}
