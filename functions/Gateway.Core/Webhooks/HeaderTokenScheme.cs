namespace Libromi.Gateway.Webhooks;

/// <summary>A shared token in a header (Zapier/Make/n8n webhook actions that can add a header but cannot sign).</summary>
public sealed class HeaderTokenScheme : VerificationScheme
{
    public static HeaderTokenScheme Instance { get; } = new();

    private HeaderTokenScheme() { }

    public override string Name => VerificationSchemes.HeaderToken;

    public override IReadOnlyList<string> Fields => ["header"];

    public override IReadOnlyList<string> RequiredFields => ["header"];

    public override IWebhookVerifier Verifier { get; } = new HeaderTokenVerifier();

    internal override VerificationSettings? ReadSettings(VerifyBlock block, string secret, string? previousSecret)
    {
        var header = block.RequiredHeaderName("header");
        return header is null ? null : new HeaderTokenSettings(secret, previousSecret, header);
    }
}

/// <summary>Settings of <see cref="HeaderTokenScheme"/>.</summary>
public sealed record HeaderTokenSettings(string Secret, string? PreviousSecret, string Header)
    : VerificationSettings(Secret, PreviousSecret)
{
    public override string Scheme => VerificationSchemes.HeaderToken;
}
