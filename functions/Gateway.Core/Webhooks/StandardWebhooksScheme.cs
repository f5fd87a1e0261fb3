namespace Libromi.Gateway.Webhooks;

/// <summary>
/// Standard Webhooks: <c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>; the secret is <c>whsec_</c> +
/// base64. The <c>webhook-id</c> header is the delivery's identity unless the file names another.
/// </summary>
public sealed class StandardWebhooksScheme : VerificationScheme
{
    public static StandardWebhooksScheme Instance { get; } = new();

    /// <summary>The signature's timestamp may be this far from the gateway's clock either way (the specification's advice).</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private static readonly DeliveryIdSource IdHeader = new DeliveryIdSource.Header(StandardWebhooksVerifier.IdHeader);

    private StandardWebhooksScheme() { }

    public override string Name => VerificationSchemes.StandardWebhooks;

    public override IReadOnlyList<string> Fields => [];

    public override IWebhookVerifier Verifier { get; } = new StandardWebhooksVerifier();

    public override DeliveryIdSource? DefaultDeliveryId => IdHeader;

    public override string IdentitySource(DeliveryIdSource.Header header) =>
        header.Name.Equals(StandardWebhooksVerifier.IdHeader, StringComparison.OrdinalIgnoreCase) ? "webhook-id" : "header";

    internal override VerificationSettings? ReadSettings(VerifyBlock block, string secret, string? previousSecret) =>
        new StandardWebhooksSettings(secret, previousSecret, Tolerance);
}

/// <summary>Settings of <see cref="StandardWebhooksScheme"/>.</summary>
public sealed record StandardWebhooksSettings(string Secret, string? PreviousSecret, TimeSpan Tolerance)
    : VerificationSettings(Secret, PreviousSecret)
{
    public override string Scheme => VerificationSchemes.StandardWebhooks;
}
