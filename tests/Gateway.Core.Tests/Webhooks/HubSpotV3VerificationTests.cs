using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Libromi.Gateway.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.Webhooks;

public sealed class HubSpotV3VerificationTests
{
    private const string ClientSecret = "hubspot-client-secret-value";
    private const string Body = """[{"eventId":100,"subscriptionType":"contact.propertyChange","objectId":123,"propertyName":"phone","propertyValue":"+447700900123","occurredAt":1767268800000}]""";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemorySecretSource _secrets = new(new() { ["hubspot-app-secret"] = ClientSecret });

    private static readonly IntegrationDefinition Direct = TestSupport.Integration("""
        { "verify": { "scheme": "hubspot-v3", "secret": "hubspot-app-secret" },
          "operations": [ { "upsert_contact": { "phone_number": "propertyValue" } } ] }
        """);

    private static readonly IntegrationDefinition BehindProxy = TestSupport.Integration("""
        { "verify": { "scheme": "hubspot-v3", "secret": "hubspot-app-secret", "public_base_url": "https://hooks.example.org/" },
          "operations": [ { "upsert_contact": { "phone_number": "propertyValue" } } ] }
        """);

    /// <summary>Signs exactly as HubSpot documents it, independently of the verifier's own helper.</summary>
    private static string HubSpotSignature(string uri, string body, long timestamp) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ClientSecret), Encoding.UTF8.GetBytes($"POST{uri}{body}{timestamp}")));

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static WebhookRequest Request(Uri requestUri, string body, string signature, long timestamp) =>
        WebhookRequest.Post(requestUri, WebhookHeaders.From(("X-HubSpot-Signature-v3", signature), ("X-HubSpot-Request-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture))),
            Encoding.UTF8.GetBytes(body), "application/json");

    private ValueTask<VerificationResult> Verify(IntegrationDefinition integration, WebhookRequest request) =>
        WebhookVerification.VerifyAsync(integration, request, _secrets, _time);

    [Fact]
    public async Task Delivery_signed_as_hubspot_signs_it_verifies()
    {
        var uri = new Uri("https://gateway.example.com/api/hooks/hubspot?portal=42");
        var signature = HubSpotSignature("https://gateway.example.com/api/hooks/hubspot?portal=42", Body, Now);
        Assert.IsType<VerificationResult.Verified>(await Verify(Direct, Request(uri, Body, signature, Now)));
    }

    [Fact]
    public async Task Tampered_body_fails_hubspot_verification()
    {
        var uri = new Uri("https://gateway.example.com/api/hooks/hubspot");
        var signature = HubSpotSignature(uri.AbsoluteUri, Body, Now);
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(Direct, Request(uri, Body.Replace("123", "124", StringComparison.Ordinal), signature, Now)));
        Assert.Equal("bad_signature", result.ReasonCode);
        Assert.Equal("hubspot-v3", result.Scheme);
    }

    [Fact]
    public async Task Behind_a_proxy_the_public_base_url_is_what_was_signed()
    {
        var gatewaySaw = new Uri("http://gateway-internal:8080/api/hooks/hubspot?portal=42");
        var signature = HubSpotSignature("https://hooks.example.org/api/hooks/hubspot?portal=42", Body, Now);

        Assert.IsType<VerificationResult.Verified>(await Verify(BehindProxy, Request(gatewaySaw, Body, signature, Now)));
        Assert.IsType<VerificationResult.Failed>(await Verify(Direct, Request(gatewaySaw, Body, signature, Now)));
    }

    [Fact]
    public async Task Percent_encodings_that_hubspot_decodes_are_decoded_before_checking()
    {
        // HubSpot signs the URI with %3A, %40, %2C and friends decoded; other encodings (%20) stay as they are.
        var uri = new Uri("https://gateway.example.com/api/hooks/hubspot?owner=a%40b.com&tags=x%2Cy&name=a%20b");
        var signature = HubSpotSignature("https://gateway.example.com/api/hooks/hubspot?owner=a@b.com&tags=x,y&name=a%20b", Body, Now);
        Assert.IsType<VerificationResult.Verified>(await Verify(Direct, Request(uri, Body, signature, Now)));
    }

    [Fact]
    public async Task Timestamp_older_than_five_minutes_is_stale_and_far_ahead_is_future()
    {
        var uri = new Uri("https://gateway.example.com/api/hooks/hubspot");
        var old = Now - 300_001;
        var ahead = Now + 300_001;
        var stale = Assert.IsType<VerificationResult.Failed>(await Verify(Direct, Request(uri, Body, HubSpotSignature(uri.AbsoluteUri, Body, old), old)));
        var future = Assert.IsType<VerificationResult.Failed>(await Verify(Direct, Request(uri, Body, HubSpotSignature(uri.AbsoluteUri, Body, ahead), ahead)));
        Assert.Equal("stale_timestamp", stale.ReasonCode);
        Assert.Equal("future_timestamp", future.ReasonCode);
    }

    [Fact]
    public async Task Timestamp_in_seconds_instead_of_milliseconds_is_stale()
    {
        var uri = new Uri("https://gateway.example.com/api/hooks/hubspot");
        var seconds = _time.GetUtcNow().ToUnixTimeSeconds();
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(Direct, Request(uri, Body, HubSpotSignature(uri.AbsoluteUri, Body, seconds), seconds)));
        Assert.Equal(VerificationFailure.StaleTimestamp, result.Reason);
    }

    [Fact]
    public async Task Missing_timestamp_header_is_named()
    {
        var request = WebhookRequest.Post(TestSupport.HookUri, WebhookHeaders.From(("X-HubSpot-Signature-v3", "AAAA")), Encoding.UTF8.GetBytes(Body), "application/json");
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(Direct, request));
        Assert.Equal("missing_header", result.ReasonCode);
        Assert.Contains("X-HubSpot-Request-Timestamp", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verifier_signing_helper_agrees_with_the_documented_recipe()
    {
        var uri = "https://gateway.example.com/api/hooks/hubspot";
        Assert.Equal(HubSpotSignature(uri, Body, 1767268800000), HubSpotV3Verifier.Sign(ClientSecret, "POST", uri, Encoding.UTF8.GetBytes(Body), 1767268800000));
    }
}
