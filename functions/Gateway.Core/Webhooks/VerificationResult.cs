namespace Libromi.Gateway.Webhooks;

/// <summary>Why a delivery failed verification; <see cref="VerificationFailureExtensions.Code"/> is the stable wire name.</summary>
public enum VerificationFailure
{
    MissingHeader,
    MalformedHeader,
    BadSignature,
    StaleTimestamp,
    FutureTimestamp,
}

public static class VerificationFailureExtensions
{
    public static string Code(this VerificationFailure failure) => failure switch
    {
        VerificationFailure.MissingHeader => "missing_header",
        VerificationFailure.MalformedHeader => "malformed_header",
        VerificationFailure.BadSignature => "bad_signature",
        VerificationFailure.StaleTimestamp => "stale_timestamp",
        VerificationFailure.FutureTimestamp => "future_timestamp",
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
    };
}

/// <summary>
/// The outcome of verifying one delivery. <see cref="Failed"/> is the sender's fault (answer 401);
/// <see cref="SecretUnavailable"/> is ours (answer 503 so the sender retries). Details name headers and reasons but
/// never a secret, a signature or the expected value.
/// </summary>
public abstract record VerificationResult
{
    private VerificationResult() { }

    public abstract string Scheme { get; }

    public sealed record Verified(string Scheme) : VerificationResult
    {
        public override string Scheme { get; } = Scheme;
    }

    public sealed record Failed(string Scheme, VerificationFailure Reason, string Detail) : VerificationResult
    {
        public override string Scheme { get; } = Scheme;

        /// <summary>The reason class as sent in problem responses and logs: <c>bad_signature</c>, <c>stale_timestamp</c>, ...</summary>
        public string ReasonCode => Reason.Code();
    }

    /// <summary>The secret could not be read, does not exist, or is not usable for the scheme (e.g. not a <c>whsec_</c> key).</summary>
    public sealed record SecretUnavailable(string Scheme, string SecretName, string Detail) : VerificationResult
    {
        public override string Scheme { get; } = Scheme;

        public static string ReasonCode => "secret_unavailable";
    }
}
