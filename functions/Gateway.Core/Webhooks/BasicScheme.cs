namespace Libromi.Gateway.Webhooks;

/// <summary>HTTP Basic credentials (Pipedrive webhooks); the secret is the password. A refused delivery is challenged for Basic credentials.</summary>
public sealed class BasicScheme : VerificationScheme
{
    public static BasicScheme Instance { get; } = new();

    private BasicScheme() { }

    public override string Name => VerificationSchemes.Basic;

    public override IReadOnlyList<string> Fields => ["username"];

    public override IReadOnlyList<string> RequiredFields => ["username"];

    public override IWebhookVerifier Verifier { get; } = new BasicAuthVerifier();

    public override string? Challenge => "Basic realm=\"libromi-gateway\", charset=\"UTF-8\"";

    internal override VerificationSettings? ReadSettings(VerifyBlock block, string secret, string? previousSecret)
    {
        var username = block.RequiredString("username");
        if (username is not null && (username.Length == 0 || username.Contains(':', StringComparison.Ordinal)))
        {
            block.Error("username", "must be non-empty and must not contain ':' (HTTP Basic separates user and password with it)");
            return null;
        }
        return username is null ? null : new BasicAuthSettings(secret, previousSecret, username);
    }
}

/// <summary>Settings of <see cref="BasicScheme"/>.</summary>
public sealed record BasicAuthSettings(string Secret, string? PreviousSecret, string Username)
    : VerificationSettings(Secret, PreviousSecret)
{
    public override string Scheme => VerificationSchemes.Basic;
}
