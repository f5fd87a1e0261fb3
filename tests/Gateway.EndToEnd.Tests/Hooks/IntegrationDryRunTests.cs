using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Operations;
using Libromi.Gateway.EndToEnd.Pipeline;

namespace Libromi.Gateway.EndToEnd.Hooks;

/// <summary>
/// <c>POST /api/integrations/{name}/test</c> on the standalone host, against Azurite and the simulator: what a sample
/// delivery would come to, read off the real verification and mapping, with nothing queued and nothing recorded.
/// </summary>
public sealed class IntegrationDryRunTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        _gateway = await HookGateway.StartAsync(fixture);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    public static TheoryData<string, string, string> Presets() => new()
    {
        // Preset file, the sender's payload shape (unsigned), what would be queued.
        {
            "standard-webhooks-generic.json",
            """{ "sample": { "body": { "events": [ { "type": "customer.created", "data": { "phone": "07700 900123", "first_name": "Ana", "address": { "city": "Leeds" }, "accepts_marketing": true } }, { "type": "order.paid", "data": { "id": 5 } } ] } } }""",
            """[[{"phone_number":"447700900123","steps":[{"kind":"update_attributes","attributes":{"first_name":"Ana","city":"Leeds","marketing_opt_in":true,"source":"shop"}}]}],[]]"""
        },
        {
            "hubspot-contacts.json",
            """{ "sample": { "body": [ { "eventId": 100, "subscriptionType": "contact.propertyChange", "objectId": 5501, "propertyName": "phone", "propertyValue": "+44 7700 900124" }, { "eventId": 101, "subscriptionType": "contact.propertyChange", "objectId": 5501, "propertyName": "firstname", "propertyValue": "Ana" } ] } }""",
            """[[{"phone_number":"447700900124","steps":[{"kind":"update_attributes","attributes":{"hubspot_contact_id":5501}}]}],[]]"""
        },
        {
            "pipedrive-persons.json",
            """{ "sample": { "body": { "meta": { "id": "8f1c", "entity": "person", "action": "change" }, "data": { "id": 42, "name": "Ana Lima", "phones": [ { "value": "+44 7700 900125", "primary": true } ], "emails": [ { "value": "ana@example.com" } ] } } } }""",
            """[[{"phone_number":"447700900125","steps":[{"kind":"update_attributes","attributes":{"name":"Ana Lima","email":"ana@example.com","pipedrive_person_id":42}}]}]]"""
        },
        {
            "zapier-webhooks.json",
            """{ "sample": { "body_text": "phone=%2B447700900126&name=Ana&email=ana%40example.com&owner_email=agent%40company.test", "content_type": "application/x-www-form-urlencoded" } }""",
            """[[{"phone_number":"447700900126","steps":[{"kind":"update_attributes","attributes":{"name":"Ana","email":"ana@example.com","source":"zapier"}},{"kind":"assign_staff","staff_email":"agent@company.test"}]}]]"""
        },
    };

    [Theory]
    [MemberData(nameof(Presets))]
    public async Task Each_preset_maps_its_senders_payload_shape_in_a_dry_run(string presetFile, string sample, string expectedContacts)
    {
        var (name, definition) = Preset(presetFile);
        var request = JsonNode.Parse(sample)!.AsObject();
        request["definition"] = definition;

        var (status, report) = await TestAsync(name, request.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("draft", Text(report, "definition"));
        Assert.Equal("skipped", Text(report["verification"]!, "verdict"));
        Assert.Equal("missing_header", Text(report["verification"]!, "reason"));
        Assert.Equal("accepted", Text(report, "outcome"));
        var contacts = new JsonArray([.. report["items"]!.AsArray().Select(i => i!["contacts"]!.DeepClone())]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expectedContacts), contacts), contacts.ToJsonString());
        Assert.Equal(0, _gateway.OperationsAccepted());
    }

    [Fact]
    public async Task A_path_that_matches_nothing_is_listed_and_its_attribute_is_left_out()
    {
        var (_, report) = await TestAsync("shop", """
            { "sample": { "body": { "events": [ { "type": "customer.created", "data": { "phone": "+44 7700 900130", "first_name": "Ana" } } ] } } }
            """);

        var missing = Assert.Single(report["unresolved_paths"]!.AsArray());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"item":0,"operation":0,"field":"attributes.city","path":"data.address.city"}"""), missing), missing!.ToJsonString());
        var city = report["items"]![0]!["operations"]![0]!["values"]!.AsArray().Single(v => Text(v!, "field") == "attributes.city")!;
        Assert.False(city["resolved"]!.GetValue<bool>());
        Assert.Equal("""{"first_name":"Ana","source":"shop"}""", report["items"]![0]!["contacts"]![0]!["steps"]![0]!["attributes"]!.ToJsonString());
        Assert.Equal("accepted", Text(report, "outcome"));
    }

    [Fact]
    public async Task A_when_that_never_matches_shows_the_value_it_found_and_the_item_is_ignored()
    {
        var (_, report) = await TestAsync("shop", """
            { "sample": { "body": { "events": [ { "kind": "customer.created", "data": { "phone": "+44 7700 900131" } } ] } } }
            """);

        Assert.Equal("ignored", Text(report, "outcome"));
        var item = report["items"]![0]!;
        Assert.True(item["ignored"]!.GetValue<bool>());
        var operations = item["operations"]!.AsArray();
        Assert.Equal(2, operations.Count);
        Assert.All(operations, o => Assert.False(o!["matched"]!.GetValue<bool>()));
        var when = operations[0]!["when"]!;
        Assert.Equal("type", Text(when, "path"));
        Assert.Equal("in", Text(when, "test"));
        Assert.False(when["resolved"]!.GetValue<bool>());
        Assert.Contains(report["unresolved_paths"]!.AsArray(), p => Text(p!, "field") == "when" && Text(p!, "path") == "type");
    }

    [Fact]
    public async Task A_value_that_cannot_be_of_its_learned_attribute_type_is_a_warning_naming_the_field()
    {
        // Libromi lists a contact's attributes with their definitions; this contact holds "age", a number.
        await fixture.Simulator.Inspector.SeedAttributesAsync("447700900132", """{"age": 31, "city": "York"}""");
        await fixture.Simulator.Inspector.ClearRequestsAsync();

        var (status, report) = await TestAsync("crm", """
            { "sample": { "body": { "phone": "+44 7700 900133", "age": "thirty", "city": "Leeds", "nickname": "Ana" } },
              "sample_phone": "+44 7700 900132",
              "definition": { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "zapier-token" },
                              "operations": [ { "upsert_contact": { "phone_number": "phone", "attributes": { "age": "age", "city": "city", "nickname": "nickname" } } } ] } }
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        var types = report["attribute_types"]!;
        Assert.Equal("read", Text(types["sample_contact"]!, "status"));
        var warning = Assert.Single(types["warnings"]!.AsArray())!;
        Assert.Equal("items[0].attributes.age", Text(warning, "field"));
        Assert.Equal("number", Text(warning, "field_type"));
        Assert.Contains("\"thirty\"", Text(warning, "problem"), StringComparison.Ordinal);
        Assert.Equal("""["nickname"]""", types["unknown"]!.ToJsonString());
        // One read of the sample contact, nothing written, nothing queued.
        var requests = await fixture.Simulator.Inspector.GetRequestsAsync();
        var read = Assert.Single(requests);
        Assert.Equal("GET", read.Method);
        Assert.EndsWith("/contact/447700900132", read.Path, StringComparison.Ordinal);
        Assert.Equal(0, _gateway.OperationsAccepted());
    }

    [Fact]
    public async Task Attribute_types_learned_from_a_delivery_the_gateway_made_are_checked_without_a_sample_contact()
    {
        // The simulator types "email" as an email; delivering one teaches the gateway from Libromi's answer.
        using var delivery = await Senders.PostAsync(_gateway.BaseAddress, "zapier", """{"phone":"+447700900138","name":"Ana","email":"ana@example.com"}""",
            "application/json", ("X-Api-Key", HookGateway.ZapierToken), ("X-Request-Id", Guid.NewGuid().ToString()));
        Assert.Equal(HttpStatusCode.Accepted, delivery.StatusCode);
        await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactAsync("447700900138"), c => c?.Attributes.ContainsKey("email") == true,
            "the delivery reached Libromi");
        await fixture.Simulator.Inspector.ClearRequestsAsync();

        // The gateway learns when Libromi's answer arrives, a moment after the simulator stored the contact.
        var report = await Eventually.WaitForAsync(
            async () => (await TestAsync("zapier", """{ "sample": { "body": { "phone": "+447700900139", "name": "Ana", "email": "ana at example" } } }""")).Report,
            r => r["attribute_types"]!["warnings"]!.AsArray().Count > 0, "the email attribute's type learned from the delivery");

        var warning = Assert.Single(report["attribute_types"]!["warnings"]!.AsArray())!;
        Assert.Equal("items[0].attributes.email", Text(warning, "field"));
        Assert.Equal("email", Text(warning, "field_type"));
        Assert.Null(report["attribute_types"]!["sample_contact"]);
        Assert.Empty(await fixture.Simulator.Inspector.GetRequestsAsync());
    }

    [Fact]
    public async Task Reading_the_sample_contact_takes_a_permit_of_the_accounts_limit_and_none_is_left_for_a_second_read()
    {
        // One request a minute: the first dry run's read takes it, the second waits its 10 s and reads nothing.
        await using var gateway = await HookGateway.StartAsync(fixture, new Dictionary<string, string?> { ["Libromi:RequestsPerMinute"] = "1" });
        await fixture.Simulator.Inspector.ClearRequestsAsync();
        const string Sample = """{ "sample": { "body": { "phone": "+447700900150" } }, "sample_phone": "+44 7700 900151" }""";

        var (_, first) = await TestAsync(gateway, "zapier", Sample);
        var (_, second) = await TestAsync(gateway, "zapier", Sample);

        Assert.Equal("read", Text(first["attribute_types"]!["sample_contact"]!, "status"));
        Assert.Equal("no_permit", Text(second["attribute_types"]!["sample_contact"]!, "status"));
        Assert.Single(await fixture.Simulator.Inspector.GetRequestsAsync());
    }

    [Fact]
    public async Task A_429_on_the_sample_contact_pauses_sending_and_the_next_dry_run_does_not_call_Libromi()
    {
        // A short pause: it is shared through the class's storage, and the next test's gateway must be able to send.
        await fixture.Simulator.Inspector.SetFaultsAsync(new global::Libromi.Simulator.Faults.FaultSettings { RateLimitedRate = 1, RateLimitRetryAfterSeconds = 3 });
        await fixture.Simulator.Inspector.ClearRequestsAsync();
        const string Sample = """{ "sample": { "body": { "phone": "+447700900152" } }, "sample_phone": "+44 7700 900153" }""";

        var (_, first) = await TestAsync("zapier", Sample);
        var (_, second) = await TestAsync("zapier", Sample);

        Assert.Equal("paused", Text(first["attribute_types"]!["sample_contact"]!, "status"));
        Assert.Equal("paused", Text(second["attribute_types"]!["sample_contact"]!, "status"));
        Assert.Single(await fixture.Simulator.Inspector.GetRequestsAsync());
    }

    [Fact]
    public async Task An_invalid_draft_is_a_422_problem_naming_each_field_as_the_file_validator_does()
    {
        using var admin = AdminClient.For(_gateway);
        using var response = await admin.PostAsync("/api/integrations/newcrm/test", Json("""
            { "sample": { "body": { "phone": "+44 7700 900134" } },
              "definition": { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
                              "operations": [ { "upsert_contact": { "phone_number": "phone", "atributes": { "city": "city" } } } ] } }
            """));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("https://libromi-gateway.dev/problems/invalid-definition", Text(problem, "type"));
        var errors = problem["errors"]!.AsObject();
        Assert.Contains("integrations.newcrm.operations[0].upsert_contact.atributes", errors.Select(e => e.Key));
        Assert.Contains("integrations.newcrm.verify.secret", errors.Select(e => e.Key));
        Assert.DoesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", problem.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Field_problems_are_exactly_those_the_hook_route_answers_for_the_same_delivery()
    {
        const string Body = """{"events":[{"type":"customer.created","data":{"phone":"not a phone"}},{"type":"customer.owner_changed","data":{"phone":"+447700900135","owner":{"email":"nobody"}}}]}""";
        var headers = Senders.StandardWebhooks(HookGateway.ShopSecret, $"msg_{Guid.NewGuid():N}", DateTimeOffset.UtcNow, Body);
        var sample = new JsonObject
        {
            ["sample"] = new JsonObject
            {
                ["body_text"] = Body,
                ["content_type"] = "application/json",
                ["headers"] = new JsonObject([.. headers.Select(h => KeyValuePair.Create(h.Name, (JsonNode?)h.Value))]),
                ["url"] = new Uri(_gateway.BaseAddress, "/api/hooks/shop").AbsoluteUri,
            },
        };

        var (_, report) = await TestAsync("shop", sample.ToJsonString());
        using var delivery = await Senders.PostAsync(_gateway.BaseAddress, "shop", Body, "application/json", headers);

        Assert.Equal("verified", Text(report["verification"]!, "verdict"));
        Assert.Equal("invalid", Text(report, "outcome"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, delivery.StatusCode);
        var answered = JsonNode.Parse(await delivery.Content.ReadAsStringAsync())!["errors"]!;
        Assert.True(JsonNode.DeepEquals(answered, report["errors"]), $"route: {answered.ToJsonString()}\ndry run: {report["errors"]?.ToJsonString()}");
    }

    [Fact]
    public async Task A_signed_sample_is_verified_a_wrong_token_fails_and_no_answer_or_log_holds_either_token()
    {
        const string Sample = """{ "sample": { "body": { "phone": "+44 7700 900136", "name": "Ana" }, "headers": { "X-Api-Key": "TOKEN" } } }""";

        var (_, verified) = await TestAsync("zapier", Sample.Replace("TOKEN", HookGateway.ZapierToken, StringComparison.Ordinal));
        var (_, refused) = await TestAsync("zapier", Sample.Replace("TOKEN", "zap-token-wrong", StringComparison.Ordinal));

        Assert.Equal("verified", Text(verified["verification"]!, "verdict"));
        Assert.Equal("accepted", Text(verified, "outcome"));
        Assert.Equal("failed", Text(refused["verification"]!, "verdict"));
        Assert.Equal("bad_signature", Text(refused["verification"]!, "reason"));
        Assert.Equal("unverified", Text(refused, "outcome"));
        Assert.Empty(await Reliability.SecretScan.FindAsync(_gateway, [HookGateway.ZapierToken, "zap-token-wrong"], [verified.ToJsonString(), refused.ToJsonString()]));
    }

    [Fact]
    public async Task A_dry_run_queues_nothing_and_records_no_identity_so_the_real_delivery_is_still_new()
    {
        const string Body = """{"phone":"+447700900137","name":"Ana"}""";
        var runId = $"run-{Guid.NewGuid():N}";
        var (_, report) = await TestAsync("zapier", $$"""{ "sample": { "body_text": {{JsonValue.Create(Body).ToJsonString()}}, "content_type": "application/json", "headers": { "X-Request-Id": "{{runId}}" } } }""");

        Assert.Equal("accepted", Text(report, "outcome"));
        Assert.Equal($"header:{runId}", Text(report["items"]![0]!["delivery_id"]!, "key"));
        Assert.Equal(0, _gateway.OperationsAccepted());
        using var delivery = await Senders.PostAsync(_gateway.BaseAddress, "zapier", Body, "application/json",
            ("X-Api-Key", HookGateway.ZapierToken), ("X-Request-Id", runId));
        Assert.Equal(HttpStatusCode.Accepted, delivery.StatusCode);
        Assert.False(JsonNode.Parse(await delivery.Content.ReadAsStringAsync())!["duplicate"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData(GatewayHost.ApiKey)]
    public async Task The_dry_run_needs_the_admin_key(string? key)
    {
        using var client = AdminClient.For(_gateway, key);
        using var response = await client.PostAsync("/api/integrations/zapier/test", Json("""{ "sample": { "body": {} } }"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("""{ "sample": { "body": {}, "body_text": "{}" } }""", "sample.body")]
    [InlineData("""{ "sampel": { "body": {} } }""", "sample")]
    [InlineData("""{ "sample": { "body": {}, "headers": { "X-Api-Key": 5 } } }""", "sample.headers")]
    [InlineData("""{ "sample": { "body": {}, "url": "ftp://example.com/x" } }""", "sample.url")]
    public async Task A_malformed_dry_run_request_is_a_400_naming_the_field(string body, string field)
    {
        using var admin = AdminClient.For(_gateway);
        using var response = await admin.PostAsync("/api/integrations/zapier/test", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains(field, problem["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task An_unknown_integration_without_a_draft_is_a_404()
    {
        var (status, _) = await TestAsync("nosuch", """{ "sample": { "body": {} } }""");

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    private Task<(HttpStatusCode Status, JsonNode Report)> TestAsync(string integration, string body) => TestAsync(_gateway, integration, body);

    private static async Task<(HttpStatusCode Status, JsonNode Report)> TestAsync(GatewayHost gateway, string integration, string body)
    {
        using var admin = AdminClient.For(gateway);
        using var response = await admin.PostAsync($"/api/integrations/{integration}/test", Json(body));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static string? Text(JsonNode node, string property) => node[property]?.GetValue<string>();

    /// <summary>The one integration of a shipped preset: its name and its definition.</summary>
    internal static (string Name, JsonObject Definition) Preset(string fileName)
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "integrations", "presets", fileName)))!;
        var (name, definition) = file["integrations"]!.AsObject().Single();
        return (name, definition!.DeepClone().AsObject());
    }
}
