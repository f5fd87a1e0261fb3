using System.Text;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// HTTP Basic credentials, as Pipedrive webhooks send them (<c>http_auth_user</c>/<c>http_auth_password</c>). No
/// signature and no timestamp: the body is protected by TLS only, and replays are left to deduplication.
/// </summary>
public sealed class BasicAuthVerifier : IWebhookVerifier
{
    public string Scheme => VerificationSchemes.Basic;

    public SignatureCheck Prepare(WebhookRequest request, VerificationSettings settings, DateTimeOffset now)
    {
        var basic = (BasicAuthSettings)settings;
        var authorization = request.Headers["Authorization"];
        if (authorization is null)
        {
            return SignatureCheck.Reject(Scheme, VerificationFailure.MissingHeader, "the Authorization header is missing");
        }
        const string prefix = "Basic ";
        string? user = null, password = null;
        if (authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            && SignatureMath.TryDecodeBase64(authorization[prefix.Length..].Trim(), out var decoded))
        {
            string? text = null;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(decoded);
            }
            catch (ArgumentException)
            {
                // Not UTF-8: falls through to malformed.
            }
            var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
            if (colon >= 0)
            {
                user = text![..colon];
                password = text[(colon + 1)..];
            }
        }
        if (user is null || password is null)
        {
            return SignatureCheck.Reject(Scheme, VerificationFailure.MalformedHeader, "the Authorization header is not Basic base64(user:password)");
        }

        return new SignatureCheck.Ready(
            secret =>
            {
                // Both comparisons always run, so timing does not tell a wrong user from a wrong password.
                var userMatches = SignatureMath.CredentialEquals(user, basic.Username);
                var passwordMatches = SignatureMath.CredentialEquals(password, secret);
                return userMatches & passwordMatches ? SecretMatch.Match : SecretMatch.NoMatch;
            },
            "the Basic credentials do not match");
    }
}

/// <summary>A shared token in a configured header (Zapier/Make/n8n "Webhooks" actions, which can set headers but not sign).</summary>
public sealed class HeaderTokenVerifier : IWebhookVerifier
{
    public string Scheme => VerificationSchemes.HeaderToken;

    public SignatureCheck Prepare(WebhookRequest request, VerificationSettings settings, DateTimeOffset now)
    {
        var token = (HeaderTokenSettings)settings;
        var presented = request.Headers[token.Header];
        if (presented is null)
        {
            return SignatureCheck.Reject(Scheme, VerificationFailure.MissingHeader, $"the {token.Header} header is missing");
        }
        return new SignatureCheck.Ready(
            secret => SignatureMath.CredentialEquals(presented.Trim(), secret.Trim()) ? SecretMatch.Match : SecretMatch.NoMatch,
            $"{token.Header} does not match the configured token");
    }
}
