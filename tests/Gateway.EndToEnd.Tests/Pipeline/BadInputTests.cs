using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;

namespace Libromi.Gateway.EndToEnd.Pipeline;

/// <summary>Bad input gets a precise 4xx problem+json and leaves nothing in any queue.</summary>
public sealed class BadInputTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        _gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator,
            new Dictionary<string, string?> { ["Gateway:MaxRequestBodyBytes"] = "4096" });
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    public static TheoryData<string, string, string?, HttpStatusCode, string?> Cases => new()
    {
        // route, body, content type, expected status, expected error key (validation) or problem type suffix
        { "/api/contacts", """{"phone_number": "+447700900123""", "application/json", HttpStatusCode.BadRequest, "malformed-json" },
        { "/api/contacts", "not json at all", "application/json", HttpStatusCode.BadRequest, "malformed-json" },
        { "/api/contacts", "", "application/json", HttpStatusCode.BadRequest, "malformed-json" },
        { "/api/contacts", "[1, 2]", "application/json", HttpStatusCode.BadRequest, "malformed-json" },
        { "/api/contacts", """{"phone_number": "+447700900123"}""", "text/plain", HttpStatusCode.UnsupportedMediaType, "unsupported-media-type" },
        { "/api/contacts", """{"phone_number": "+447700900123"}""", null, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type" },
        { "/api/contacts", """{"phone_number": "+447700900123"}""", "application/json; charset=latin1", HttpStatusCode.UnsupportedMediaType, "unsupported-media-type" },
        { "/api/contacts", """{"attributes": {"city": "Leeds"}}""", "application/json", HttpStatusCode.BadRequest, "phone_number" },
        { "/api/contacts", """{"phone_number": "07700 900123"}""", "application/json", HttpStatusCode.BadRequest, "phone_number" },
        { "/api/contacts", """{"phone_number": "12"}""", "application/json", HttpStatusCode.BadRequest, "phone_number" },
        { "/api/contacts", """{"phone_number": "+44 7700 abc"}""", "application/json", HttpStatusCode.BadRequest, "phone_number" },
        { "/api/contacts", """{"phone_number": true}""", "application/json", HttpStatusCode.BadRequest, "phone_number" },
        { "/api/contacts", """{"phone_number": "+447700900123", "attributes": ["city"]}""", "application/json", HttpStatusCode.BadRequest, "attributes" },
        { "/api/contacts", """{"phone_number": "+447700900123", "attributes": "city=Leeds"}""", "application/json", HttpStatusCode.BadRequest, "attributes" },
        { "/api/contacts", """{"phone_number": "+447700900123", "attributes": {"address": {"city": "Leeds"}}}""", "application/json", HttpStatusCode.BadRequest, "attributes.address" },
        { "/api/contacts", """{"phone_number": "+447700900123", "attributes": {"tags": [1, 2]}}""", "application/json", HttpStatusCode.BadRequest, "attributes.tags" },
        { "/api/contacts", """{"phone_number": "+447700900123", "phone": "+447700900124"}""", "application/json", HttpStatusCode.BadRequest, "phone" },
        { "/api/contacts", "{\"phone_number\": \"+447700900123\", \"attributes\": {\"bio\": \"" + new string('x', 5000) + "\"}}", "application/json", HttpStatusCode.RequestEntityTooLarge, "payload-too-large" },
        { "/api/contacts", """{"phone_number": "+447700900123", "staff_email": "not-an-email"}""", "application/json", HttpStatusCode.BadRequest, "staff_email" },
        { "/api/staff-assignments", """{"phone_number": "+447700900123"}""", "application/json", HttpStatusCode.BadRequest, "staff_email" },
        { "/api/staff-assignments", """{"phone_number": "+447700900123", "staff_email": "not-an-email"}""", "application/json", HttpStatusCode.BadRequest, "staff_email" },
        { "/api/staff-assignments", """{"phone_number": "+447700900123", "staff_email": 42}""", "application/json", HttpStatusCode.BadRequest, "staff_email" },
        { "/api/staff-assignments", """{"staff_email": "a@b.co"}""", "application/json", HttpStatusCode.BadRequest, "phone_number" },
        { "/api/staff-assignments", "{\"phone_number\": \"+447700900123\", \"staff_email\": \"a@b.co\"", "application/json", HttpStatusCode.BadRequest, "malformed-json" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_a_precise_problem_and_enqueues_nothing(string route, string body, string? contentType, HttpStatusCode expectedStatus, string? expected)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var response = await _gateway.Client.PostAsync(route, content);

        Assert.Equal(expectedStatus, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]?.GetValue<string>()));
        if (problem["errors"] is JsonObject errors)
        {
            Assert.True(errors.ContainsKey(expected!), $"errors should name '{expected}': {errors.ToJsonString()}");
        }
        else
        {
            Assert.EndsWith("/" + expected, problem["type"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        await AssertQueuesEmptyAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Missing_or_wrong_key_is_a_401_problem_and_enqueues_nothing(string? key)
    {
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        var response = await client.PostAsync("/api/contacts", new StringContent("""{"phone_number": "+447700900123"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(GatewayHost.ApiKey, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertQueuesEmptyAsync();
    }

    [Fact]
    public async Task Key_in_the_code_query_parameter_is_accepted()
    {
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };

        var response = await client.PostAsync($"/api/contacts?code={GatewayHost.ApiKey}", new StringContent("""{"phone_number": "+447700900123"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/api/contacts", HttpStatusCode.MethodNotAllowed)]
    [InlineData("POST", "/api/nothing-here", HttpStatusCode.NotFound)]
    public async Task Wrong_method_or_unknown_route_is_a_problem(string method, string route, HttpStatusCode expected)
    {
        var response = await _gateway.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), route));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertQueuesEmptyAsync();
    }

    private async Task AssertQueuesEmptyAsync()
    {
        foreach (var queue in _gateway.Queues.All)
        {
            var peeked = await queue.PeekMessagesAsync(1);
            Assert.True(peeked.Value.Length == 0, $"{queue.Name} should be empty");
        }
    }
}
