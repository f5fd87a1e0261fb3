using Libromi.Gateway.Secrets;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// Verifies a delivery with its integration's scheme. Each <see cref="IWebhookVerifier"/> is pure (headers, body, clock
/// in; a check out); this class owns what they share: reading secrets, trying <c>previous_secret</c> during a rotation,
/// and telling a missing secret (our fault) from a bad signature (theirs).
/// </summary>
public static class WebhookVerification
{
    public static async ValueTask<VerificationResult> VerifyAsync(
        IntegrationDefinition integration,
        WebhookRequest request,
        ISecretSource secrets,
        TimeProvider timeProvider,
        CancellationToken cancellationToken = default)
    {
        var settings = integration.Verification;
        var verifier = settings.SchemeType.Verifier;

        var check = verifier.Prepare(request, settings, timeProvider.GetUtcNow());
        if (check is SignatureCheck.Rejected rejected)
        {
            return rejected.Failure;
        }
        var ready = (SignatureCheck.Ready)check;

        foreach (var secretName in settings.SecretNames())
        {
            string? secret;
            try
            {
                secret = await secrets.GetSecretAsync(secretName, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Only the exception type: a secret store's message is not ours to vouch for.
                return new VerificationResult.SecretUnavailable(settings.Scheme, secretName, $"the secret store failed ({ex.GetType().Name})");
            }
            if (string.IsNullOrEmpty(secret))
            {
                return new VerificationResult.SecretUnavailable(settings.Scheme, secretName, "no such secret in the secret store");
            }

            switch (ready.Matches(secret))
            {
                case SecretMatch.Match:
                    return new VerificationResult.Verified(settings.Scheme);
                case SecretMatch.UnusableSecret:
                    return new VerificationResult.SecretUnavailable(settings.Scheme, secretName, verifier.UnusableSecretHint);
            }
        }

        return new VerificationResult.Failed(settings.Scheme, VerificationFailure.BadSignature, ready.MismatchDetail);
    }
}
