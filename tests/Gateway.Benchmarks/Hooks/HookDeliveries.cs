using System.Text;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Secrets;

namespace Libromi.Gateway.Benchmarks.Hooks;

/// <summary>
/// A shop-style integration (Standard Webhooks signature, a mapping over <c>items</c>) and signed deliveries of a
/// given size, built the way a sender builds them.
/// </summary>
internal static class HookDeliveries
{
    public const string SecretName = "shop-secret";
    // A whsec_ key as Standard Webhooks senders issue them (base64 of 24 random bytes); made up for the benchmark.
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);

    public static IntegrationDefinition Integration { get; } = IntegrationsFile.Parse($$"""
        { "integrations": { "shop": {
            "verify": { "scheme": "standard-webhooks", "secret": "{{SecretName}}" },
            "items": "events",
            "operations": [
              { "when": { "path": "type", "equals": "customer.created" },
                "upsert_contact": { "phone_number": "data.phone",
                                    "attributes": { "city": "data.address.city", "plan": "data.plan", "source": { "value": "shop" } } } }
            ] } } }
        """, "integrations.json")["shop"];

    private static string Event(int i) =>
        "{\"type\":\"customer.created\",\"id\":\"evt_" + i.ToString("000000", System.Globalization.CultureInfo.InvariantCulture)
        + "\",\"data\":{\"phone\":\"+44770" + i.ToString("0000000", System.Globalization.CultureInfo.InvariantCulture)
        + "\",\"plan\":\"pro\",\"address\":{\"city\":\"Leeds\",\"line1\":\"" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + " Park Row\",\"postcode\":\"LS1 5AB\"}}}";

    /// <summary>A signed delivery whose JSON body is about <paramref name="bytes"/> long: as many events as fit.</summary>
    public static WebhookRequest Delivery(int bytes)
    {
        var body = new StringBuilder("""{"events":[""");
        for (var i = 0; body.Length < bytes - 200; i++)
        {
            body.Append(i == 0 ? "" : ",").Append(Event(i));
        }
        var bytesOfBody = Encoding.UTF8.GetBytes(body.Append("]}").ToString());
        var timestamp = SentAt.ToUnixTimeSeconds();
        var headers = WebhookHeaders.From(
            (StandardWebhooksVerifier.IdHeader, "msg_benchmark"),
            (StandardWebhooksVerifier.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (StandardWebhooksVerifier.SignatureHeader, StandardWebhooksVerifier.Sign(Secret, "msg_benchmark", timestamp, bytesOfBody)));
        return WebhookRequest.Post(new Uri("https://gateway.example.com/api/hooks/shop"), headers, bytesOfBody, "application/json");
    }
}

/// <summary>The one secret the integration names, held in memory: the benchmark measures verification, not Key Vault.</summary>
internal sealed class FixedSecretSource : ISecretSource
{
    public string Kind => "memory";

    public ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<string?>(name == HookDeliveries.SecretName ? HookDeliveries.Secret : null);
}

/// <summary>A clock stopped at the delivery's timestamp, so the 5-minute tolerance always passes.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
