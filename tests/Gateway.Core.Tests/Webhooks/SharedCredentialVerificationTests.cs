using System.Text;
using Libromi.Gateway.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.Webhooks;

public sealed class SharedCredentialVerificationTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly InMemorySecretSource _secrets = new(new() { ["pipedrive-password"] = "correct horse battery", ["zap-token"] = "tok-9f8e7d6c5b4a" });

    private static readonly IntegrationDefinition Basic = TestSupport.Integration("""
        { "verify": { "scheme": "basic", "username": "pipedrive", "secret": "pipedrive-password" },
          "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] }
        """);

    private static readonly IntegrationDefinition Token = TestSupport.Integration("""
        { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "zap-token" },
          "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] }
        """);

    private static string BasicHeader(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private ValueTask<VerificationResult> Verify(IntegrationDefinition integration, params (string, string)[] headers) =>
        WebhookVerification.VerifyAsync(integration, TestSupport.Json("{}", headers), _secrets, _time);

    [Fact]
    public async Task Basic_credentials_as_pipedrive_sends_them_verify()
    {
        Assert.IsType<VerificationResult.Verified>(await Verify(Basic, ("Authorization", BasicHeader("pipedrive", "correct horse battery"))));
    }

    [Theory]
    [InlineData("pipedrive", "wrong password")]
    [InlineData("someone", "correct horse battery")]
    public async Task Wrong_basic_user_or_password_fails_without_saying_which(string user, string password)
    {
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(Basic, ("Authorization", BasicHeader(user, password))));
        Assert.Equal("bad_signature", result.ReasonCode);
        Assert.DoesNotContain("correct horse", result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("user", result.Detail.Replace("Basic credentials", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Bearer abc")]
    [InlineData("Basic !!!")]
    [InlineData("Basic bm9jb2xvbg==")] // "nocolon"
    public async Task Authorization_that_is_not_basic_credentials_is_malformed(string header)
    {
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(Basic, ("Authorization", header)));
        Assert.Equal("malformed_header", result.ReasonCode);
    }

    [Fact]
    public async Task Missing_authorization_is_a_missing_header()
    {
        var result = Assert.IsType<VerificationResult.Failed>(await Verify(Basic));
        Assert.Equal("missing_header", result.ReasonCode);
    }

    [Fact]
    public async Task Header_token_verifies_only_with_the_exact_token()
    {
        Assert.IsType<VerificationResult.Verified>(await Verify(Token, ("x-api-key", "tok-9f8e7d6c5b4a")));
        var wrong = Assert.IsType<VerificationResult.Failed>(await Verify(Token, ("X-Api-Key", "tok-9f8e7d6c5b4")));
        var missing = Assert.IsType<VerificationResult.Failed>(await Verify(Token, ("X-Other", "tok-9f8e7d6c5b4a")));
        Assert.Equal("bad_signature", wrong.ReasonCode);
        Assert.DoesNotContain("tok-", wrong.Detail, StringComparison.Ordinal);
        Assert.Equal("missing_header", missing.ReasonCode);
        Assert.Contains("X-Api-Key", missing.Detail, StringComparison.Ordinal);
    }
}
