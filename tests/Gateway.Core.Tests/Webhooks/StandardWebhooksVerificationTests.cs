using System.Text;
using Libromi.Gateway.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.Webhooks;

public sealed class StandardWebhooksVerificationTests
{
    // The Standard Webhooks reference libraries' published test vector.
    private const string VectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string VectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long VectorTimestamp = 1614265330;
    private const string VectorBody = """{"test": 2432232314}""";
    private const string VectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private const string OtherSecret = "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXkgISE=";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp));
    private readonly InMemorySecretSource _secrets = new(new() { ["shop-secret"] = VectorSecret, ["old-secret"] = OtherSecret });
    private readonly IntegrationDefinition _integration = TestSupport.Integration("""
        { "verify": { "scheme": "standard-webhooks", "secret": "shop-secret" },
          "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] }
        """);

    private static WebhookRequest Delivery(string body = VectorBody, string id = VectorId, long timestamp = VectorTimestamp, string signature = VectorSignature) =>
        TestSupport.Json(body, ("webhook-id", id), ("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("webhook-signature", signature));

    private ValueTask<VerificationResult> Verify(WebhookRequest request, IntegrationDefinition? integration = null) =>
        WebhookVerification.VerifyAsync(integration ?? _integration, request, _secrets, _time);

    [Fact]
    public void Signing_reproduces_the_published_test_vector()
    {
        Assert.Equal(VectorSignature, StandardWebhooksVerifier.Sign(VectorSecret, VectorId, VectorTimestamp, Encoding.UTF8.GetBytes(VectorBody)));
    }

    [Fact]
    public async Task The_published_test_vector_verifies()
    {
        Assert.IsType<VerificationResult.Verified>(await Verify(Delivery()));
    }

    [Fact]
    public async Task Tampered_body_fails_standard_webhooks_verification()
    {
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(Delivery(body: """{"test": 2432232315}""")));
        Assert.Equal("bad_signature", result.ReasonCode);
        Assert.Equal("standard-webhooks", result.Scheme);
    }

    [Fact]
    public async Task Tampered_id_fails_because_the_id_is_signed_too()
    {
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(Delivery(id: "msg_other")));
        Assert.Equal(VerificationFailure.BadSignature, result.Reason);
    }

    [Fact]
    public async Task Signature_made_with_another_secret_fails_and_does_not_echo_the_expected_value()
    {
        var forged = StandardWebhooksVerifier.Sign(OtherSecret, VectorId, VectorTimestamp, Encoding.UTF8.GetBytes(VectorBody));
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(Delivery(signature: forged)));
        Assert.Equal(VerificationFailure.BadSignature, result.Reason);
        Assert.DoesNotContain("g0hM9SsE", result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("MfKQ9r8G", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Any_matching_entry_among_several_signatures_verifies_as_during_a_senders_key_rotation()
    {
        var old = StandardWebhooksVerifier.Sign(OtherSecret, VectorId, VectorTimestamp, Encoding.UTF8.GetBytes(VectorBody));
        var header = $"v1a,bm90IGFuIGVkMjU1MTkgc2lnbmF0dXJl {old} {VectorSignature}";
        Assert.IsType<VerificationResult.Verified>(await Verify(Delivery(signature: header)));
    }

    [Fact]
    public async Task Previous_secret_is_accepted_during_the_gateways_rotation_and_read_only_when_needed()
    {
        var rotating = TestSupport.Integration("""
            { "verify": { "scheme": "standard-webhooks", "secret": "new-secret", "previous_secret": "shop-secret" },
              "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] }
            """);
        var secrets = new InMemorySecretSource(new() { ["new-secret"] = OtherSecret, ["shop-secret"] = VectorSecret });

        var result = await WebhookVerification.VerifyAsync(rotating, Delivery(), secrets, _time);

        Assert.IsType<VerificationResult.Verified>(result);
        Assert.Equal(["new-secret", "shop-secret"], secrets.Reads);

        secrets.Reads.Clear();
        var signedWithNew = StandardWebhooksVerifier.Sign(OtherSecret, VectorId, VectorTimestamp, Encoding.UTF8.GetBytes(VectorBody));
        Assert.IsType<VerificationResult.Verified>(await WebhookVerification.VerifyAsync(rotating, Delivery(signature: signedWithNew), secrets, _time));
        Assert.Equal(["new-secret"], secrets.Reads);
    }

    [Fact]
    public async Task Timestamp_older_than_five_minutes_is_stale()
    {
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(Delivery()));
        Assert.Equal("stale_timestamp", result.ReasonCode);
    }

    [Fact]
    public async Task Timestamp_exactly_five_minutes_old_is_still_accepted()
    {
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.IsType<VerificationResult.Verified>(await Verify(Delivery()));
    }

    [Fact]
    public async Task Timestamp_more_than_five_minutes_ahead_is_refused_as_future()
    {
        var ahead = VectorTimestamp + 301;
        var signature = StandardWebhooksVerifier.Sign(VectorSecret, VectorId, ahead, Encoding.UTF8.GetBytes(VectorBody));
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(Delivery(timestamp: ahead, signature: signature)));
        Assert.Equal("future_timestamp", result.ReasonCode);
    }

    [Theory]
    [InlineData("webhook-id")]
    [InlineData("webhook-timestamp")]
    [InlineData("webhook-signature")]
    public async Task Each_missing_header_is_named(string missing)
    {
        var headers = new[] { ("webhook-id", VectorId), ("webhook-timestamp", VectorTimestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("webhook-signature", VectorSignature) }
            .Where(h => h.Item1 != missing).ToArray();
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(TestSupport.Json(VectorBody, headers)));
        Assert.Equal("missing_header", result.ReasonCode);
        Assert.Contains(missing, result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1614265330", "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("1614265330", "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("1614265330", "v1,not*base64")]
    [InlineData("yesterday", VectorSignature)]
    public async Task Malformed_headers_are_reported_as_malformed(string timestamp, string signature)
    {
        var request = TestSupport.Json(VectorBody, ("webhook-id", VectorId), ("webhook-timestamp", timestamp), ("webhook-signature", signature));
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(request));
        Assert.Equal("malformed_header", result.ReasonCode);
    }

    [Fact]
    public async Task Header_names_match_ignoring_case()
    {
        var request = TestSupport.Json(VectorBody, ("Webhook-Id", VectorId), ("WEBHOOK-TIMESTAMP", "1614265330"), ("Webhook-Signature", VectorSignature));
        Assert.IsType<VerificationResult.Verified>(await Verify(request));
    }

    [Fact]
    public async Task Missing_secret_is_an_infrastructure_fault_not_a_bad_signature()
    {
        var secrets = new InMemorySecretSource([]);
        var result = Assert.IsType<VerificationResult.SecretUnavailable>(await WebhookVerification.VerifyAsync(_integration, Delivery(), secrets, _time));
        Assert.Equal("shop-secret", result.SecretName);
    }

    [Fact]
    public async Task Failing_secret_store_is_an_infrastructure_fault_whose_detail_does_not_repeat_the_stores_message()
    {
        var secrets = new InMemorySecretSource([]) { Failure = new InvalidOperationException("vault says: token=abc123") };
        var result = Assert.IsType<VerificationResult.SecretUnavailable>(await WebhookVerification.VerifyAsync(_integration, Delivery(), secrets, _time));
        Assert.DoesNotContain("abc123", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secret_that_is_not_a_whsec_key_is_reported_as_unusable_without_its_value()
    {
        var secrets = new InMemorySecretSource(new() { ["shop-secret"] = "not base64 at all!" });
        var result = Assert.IsType<VerificationResult.SecretUnavailable>(await WebhookVerification.VerifyAsync(_integration, Delivery(), secrets, _time));
        Assert.Contains("whsec_", result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("not base64 at all", result.Detail, StringComparison.Ordinal);
    }
}
