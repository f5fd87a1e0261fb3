namespace Libromi.Gateway.Webhooks;

/// <summary>
/// HubSpot request signature v3. Each event of a batch carries its own <c>eventId</c>, which is its identity unless the
/// file names another; <c>public_base_url</c> replaces scheme and host when the gateway sits behind a proxy.
/// </summary>
public sealed class HubSpotV3Scheme : VerificationScheme
{
    public static HubSpotV3Scheme Instance { get; } = new();

    private static readonly DeliveryIdSource EventId = new DeliveryIdSource.ItemPath(
        JsonPath.TryParse("eventId", out var path, out var error) ? path : throw new InvalidOperationException(error));

    private HubSpotV3Scheme() { }

    public override string Name => VerificationSchemes.HubSpotV3;

    public override IReadOnlyList<string> Fields => ["public_base_url"];

    public override IWebhookVerifier Verifier { get; } = new HubSpotV3Verifier();

    public override DeliveryIdSource? DefaultDeliveryId => EventId;

    internal override VerificationSettings? ReadSettings(VerifyBlock block, string secret, string? previousSecret)
    {
        Uri? publicBaseUrl = null;
        if (block.OptionalString("public_base_url") is { } text)
        {
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
                && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment))
            {
                publicBaseUrl = uri;
            }
            else
            {
                block.Error("public_base_url", "must be an absolute http(s) URL without query, e.g. \"https://gateway.example.com\"");
            }
        }
        return new HubSpotV3Settings(secret, previousSecret, publicBaseUrl);
    }
}

/// <summary>Settings of <see cref="HubSpotV3Scheme"/>.</summary>
public sealed record HubSpotV3Settings(string Secret, string? PreviousSecret, Uri? PublicBaseUrl)
    : VerificationSettings(Secret, PreviousSecret)
{
    public override string Scheme => VerificationSchemes.HubSpotV3;
}
