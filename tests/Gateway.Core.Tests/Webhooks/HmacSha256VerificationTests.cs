using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Libromi.Gateway.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.Webhooks;

public sealed class HmacSha256VerificationTests
{
    // GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!".
    private const string GitHubSecret = "It's a Secret to Everybody";
    private const string GitHubBody = "Hello, World!";
    private const string GitHubSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemorySecretSource _secrets = new(new() { ["github-secret"] = GitHubSecret, ["shopify-secret"] = "shpss_0123456789abcdef" });

    private static readonly IntegrationDefinition GitHubStyle = TestSupport.Integration("""
        { "verify": { "scheme": "hmac-sha256", "header": "X-Hub-Signature-256", "encoding": "hex", "prefix": "sha256=", "secret": "github-secret" },
          "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] }
        """);

    private static readonly IntegrationDefinition ShopifyStyle = TestSupport.Integration("""
        { "verify": { "scheme": "hmac-sha256", "header": "X-Shopify-Hmac-Sha256", "encoding": "base64", "secret": "shopify-secret" },
          "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] }
        """);

    private static readonly IntegrationDefinition TimestampStyle = TestSupport.Integration("""
        { "verify": { "scheme": "hmac-sha256", "header": "X-Signature", "encoding": "hex", "timestamp_header": "X-Timestamp", "tolerance_seconds": 60, "secret": "github-secret" },
          "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] }
        """);

    private static byte[] Hmac(string secret, string content) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(content));

    private ValueTask<VerificationResult> Verify(IntegrationDefinition integration, WebhookRequest request) =>
        WebhookVerification.VerifyAsync(integration, request, _secrets, _time);

    [Fact]
    public async Task GitHubs_documented_example_verifies()
    {
        Assert.IsType<VerificationResult.Verified>(await Verify(GitHubStyle, TestSupport.Json(GitHubBody, ("X-Hub-Signature-256", GitHubSignature))));
    }

    [Fact]
    public async Task Uppercase_hex_verifies_as_well()
    {
        Assert.IsType<VerificationResult.Verified>(await Verify(GitHubStyle, TestSupport.Json(GitHubBody, ("X-Hub-Signature-256", "sha256=" + GitHubSignature[7..].ToUpperInvariant()))));
    }

    [Fact]
    public async Task Tampered_body_fails_hmac_verification()
    {
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(GitHubStyle, TestSupport.Json("Hello, World?", ("X-Hub-Signature-256", GitHubSignature))));
        Assert.Equal("bad_signature", result.ReasonCode);
        Assert.DoesNotContain("757107ea", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signature_without_the_configured_prefix_is_malformed()
    {
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(GitHubStyle, TestSupport.Json(GitHubBody, ("X-Hub-Signature-256", GitHubSignature[7..]))));
        Assert.Equal("malformed_header", result.ReasonCode);
    }

    [Fact]
    public async Task Missing_signature_header_is_named()
    {
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(GitHubStyle, TestSupport.Json(GitHubBody)));
        Assert.Equal("missing_header", result.ReasonCode);
        Assert.Contains("X-Hub-Signature-256", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shopify_style_base64_without_prefix_verifies_and_wrong_secret_fails()
    {
        const string body = """{"id":820982911946154508,"phone":"+447700900123"}""";
        var good = Convert.ToBase64String(Hmac("shpss_0123456789abcdef", body));
        var bad = Convert.ToBase64String(Hmac("shpss_somebody_else", body));

        Assert.IsType<VerificationResult.Verified>(await Verify(ShopifyStyle, TestSupport.Json(body, ("X-Shopify-Hmac-Sha256", good))));
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(ShopifyStyle, TestSupport.Json(body, ("X-Shopify-Hmac-Sha256", bad))));
        Assert.Equal(VerificationFailure.BadSignature, result.Reason);
    }

    [Fact]
    public async Task Timestamp_header_is_part_of_the_signed_content()
    {
        const string body = """{"phone":"+447700900123"}""";
        var now = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(Hmac(GitHubSecret, $"{now}.{body}"));
        var bodyOnly = Convert.ToHexStringLower(Hmac(GitHubSecret, body));

        Assert.IsType<VerificationResult.Verified>(await Verify(TimestampStyle, TestSupport.Json(body, ("X-Signature", signature), ("X-Timestamp", now))));
        Assert.IsType<VerificationResult.Failed>(await Verify(TimestampStyle, TestSupport.Json(body, ("X-Signature", bodyOnly), ("X-Timestamp", now))));
    }

    [Fact]
    public async Task Timestamp_outside_the_configured_tolerance_is_stale_or_future()
    {
        const string body = "{}";
        string Sign(long at) => Convert.ToHexStringLower(Hmac(GitHubSecret, $"{at}.{body}"));
        var now = _time.GetUtcNow().ToUnixTimeSeconds();

        var stale = Assert.IsType<VerificationResult.Failed>(await Verify(TimestampStyle, TestSupport.Json(body, ("X-Signature", Sign(now - 61)), ("X-Timestamp", (now - 61).ToString(CultureInfo.InvariantCulture)))));
        var future = Assert.IsType<VerificationResult.Failed>(await Verify(TimestampStyle, TestSupport.Json(body, ("X-Signature", Sign(now + 61)), ("X-Timestamp", (now + 61).ToString(CultureInfo.InvariantCulture)))));
        var missing = Assert.IsType<VerificationResult.Failed>(await Verify(TimestampStyle, TestSupport.Json(body, ("X-Signature", Sign(now)))));

        Assert.Equal("stale_timestamp", stale.ReasonCode);
        Assert.Equal("future_timestamp", future.ReasonCode);
        Assert.Equal("missing_header", missing.ReasonCode);
        Assert.Contains("X-Timestamp", missing.Detail, StringComparison.Ordinal);
    }
}
