using System.Text.Json.Nodes;
using Libromi.Gateway.Http;
using Libromi.Gateway.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Libromi.Gateway.Tests.Webhooks;

/// <summary>Each outcome of a delivery becomes the documented HTTP answer.</summary>
public sealed class WebhookAnswerTests
{
    private static readonly IntegrationDefinition Token = TestSupport.Integration("""
        { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" },
          "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] }
        """);

    private static readonly IntegrationDefinition Basic = TestSupport.Integration("""
        { "verify": { "scheme": "basic", "username": "pipedrive", "secret": "password" },
          "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] }
        """);

    [Fact]
    public async Task Accepted_delivery_is_202_with_operation_ids_ignored_and_duplicates()
    {
        var (status, _, body) = await ExecuteAsync(new HookOutcome.Accepted(["a", "b"], 3, 1), Token);

        Assert.Equal(202, status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"operation_ids":["a","b"],"ignored":3,"duplicates":1,"duplicate":false}"""), body));
    }

    [Fact]
    public async Task Entirely_duplicate_delivery_is_200_marked_duplicate()
    {
        var (status, _, body) = await ExecuteAsync(new HookOutcome.Duplicate(0, 2), Token);

        Assert.Equal(200, status);
        Assert.True(body!["duplicate"]!.GetValue<bool>());
        Assert.Empty(body["operation_ids"]!.AsArray());
    }

    [Fact]
    public async Task Failed_verification_is_401_naming_scheme_and_reason()
    {
        var failure = new VerificationResult.Failed("header-token", VerificationFailure.BadSignature, "X-Api-Key does not match the configured secret");

        var (status, headers, body) = await ExecuteAsync(new HookOutcome.Unverified(failure), Token);

        Assert.Equal(401, status);
        Assert.Equal("header-token", body!["scheme"]!.GetValue<string>());
        Assert.Equal("bad_signature", body["reason"]!.GetValue<string>());
        Assert.False(headers.ContainsKey("WWW-Authenticate"));
    }

    [Fact]
    public async Task Failed_basic_verification_challenges_for_basic_credentials()
    {
        var failure = new VerificationResult.Failed("basic", VerificationFailure.MissingHeader, "the Authorization header is missing");

        var (status, headers, _) = await ExecuteAsync(new HookOutcome.Unverified(failure), Basic);

        Assert.Equal(401, status);
        Assert.StartsWith("Basic ", headers["WWW-Authenticate"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unavailable_secret_is_503_with_retry_after()
    {
        var (status, headers, body) = await ExecuteAsync(new HookOutcome.SecretUnavailable(), Token);

        Assert.Equal(503, status);
        Assert.Equal("30", headers["Retry-After"].ToString());
        Assert.Equal("secret_unavailable", body!["reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(MalformedBodyReason.Unreadable, 400)]
    [InlineData(MalformedBodyReason.UnsupportedContentType, 415)]
    public async Task Malformed_body_is_400_or_415(MalformedBodyReason reason, int expected)
    {
        var (status, _, body) = await ExecuteAsync(new HookOutcome.Malformed(new MappingResult.MalformedBody(reason, "why")), Token);

        Assert.Equal(expected, status);
        Assert.Equal("why", body!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unmappable_delivery_is_422_with_the_errors_map()
    {
        var errors = new Dictionary<string, string[]> { ["items[1].phone_number"] = ["no phone number at \"phone\""] };

        var (status, _, body) = await ExecuteAsync(new HookOutcome.Invalid(errors), Token);

        Assert.Equal(422, status);
        Assert.Equal("no phone number at \"phone\"", body!["errors"]!["items[1].phone_number"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Storage_failure_is_503_with_retry_after()
    {
        var (status, headers, _) = await ExecuteAsync(new HookOutcome.StorageUnavailable(), Token);

        Assert.Equal(503, status);
        Assert.True(headers.ContainsKey("Retry-After"));
    }

    private static async Task<(int Status, IHeaderDictionary Headers, JsonNode? Body)> ExecuteAsync(HookOutcome outcome, IntegrationDefinition integration)
    {
        await using var services = new ServiceCollection().AddLogging().AddProblemDetails().ConfigureHttpJsonOptions(GatewayJson.Configure).BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        var body = new MemoryStream();
        context.Response.Body = body;

        await WebhooksApi.ToResult(outcome, integration).ExecuteAsync(context);

        var text = System.Text.Encoding.UTF8.GetString(body.ToArray());
        return (context.Response.StatusCode, context.Response.Headers, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}
