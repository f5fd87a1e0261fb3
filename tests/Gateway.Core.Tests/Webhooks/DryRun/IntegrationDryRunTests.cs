using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.Webhooks.DryRun;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Libromi;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.Webhooks.DryRun;

public sealed class IntegrationDryRunTests
{
    private const string Token = "crm-token-3b7e";

    private static readonly IntegrationDefinition Crm = TestSupport.Integration("""
        {
          "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "crm-token" },
          "items": "events",
          "delivery_id": { "path": "id" },
          "operations": [
            { "when": { "path": "type", "equals": "contact.created" },
              "upsert_contact": { "phone_number": "contact.phone",
                                  "attributes": { "age": "contact.age", "city": "contact.city", "vip": "contact.vip", "source": { "value": "crm" } } } },
            { "when": { "path": "contact.owner", "exists": true },
              "assign_staff": { "phone_number": "contact.phone", "staff_email": "contact.owner" } }
          ]
        }
        """);

    private static readonly FakeTimeProvider Clock = new(DateTimeOffset.Parse("2026-03-01T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public static TheoryData<string> Bodies() =>
    [
        """{"events":[{"id":"e1","type":"contact.created","contact":{"phone":"+447700900123","age":31,"city":"Leeds"}}]}""",
        """{"events":[{"id":"e1","type":"contact.created","contact":{"phone":"nope"}},{"type":"other","contact":{"phone":"+447700900124","owner":"x"}}]}""",
        """{"events":[{"type":"contact.created","contact":{"phone":"+447700900125","owner":"ana@example.com","vip":{"a":1}}}]}""",
        """{"events":[]}""",
        """{"items":[]}""",
        """not json""",
    ];

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Mapping_with_a_trace_comes_to_exactly_what_mapping_without_one_does(string body)
    {
        var request = TestSupport.Json(body);

        var plain = PayloadMapper.Map(Crm, request, maxItems: 100);
        var traced = PayloadMapper.Map(Crm, request, maxItems: 100, new MappingTrace());

        Assert.Equal(JsonSerializer.Serialize<object>(plain), JsonSerializer.Serialize<object>(traced));
    }

    [Fact]
    public async Task An_unsigned_sample_skips_verification_and_still_reports_every_operation_and_value()
    {
        var report = await RunAsync("""{"events":[{"id":"e1","type":"contact.created","contact":{"phone":"+447700900123","age":31}}]}""");

        Assert.Equal("skipped", report.Verification.Verdict);
        Assert.Equal("missing_header", report.Verification.Reason);
        Assert.Equal("accepted", report.Outcome);
        var item = Assert.Single(report.Items);
        Assert.Equal(new DeliveryIdReport("path", "path:e1"), item.DeliveryId);
        var upsert = item.Operations[0];
        Assert.True(upsert.Matched);
        Assert.Equal(new[] { "phone_number", "attributes.age", "attributes.city", "attributes.vip", "attributes.source" }, upsert.Values.Select(v => v.Field));
        Assert.Equal([true, true, false, false, true], upsert.Values.Select(v => v.Resolved));
        var assign = item.Operations[1];
        Assert.False(assign.Matched);
        Assert.Equal(new WhenReport("contact.owner", "exists", JsonValue.Create(true), false, null, false) with { Expected = assign.When!.Expected }, assign.When);
        Assert.Equal("""{"age":31,"source":"crm"}""", item.Contacts![0].Steps[0].Attributes!.ToJsonString());
        Assert.Equal(
            ["0/0 attributes.city contact.city", "0/0 attributes.vip contact.vip", "0/1 when contact.owner"],
            report.UnresolvedPaths.Select(p => $"{p.Item}/{p.Operation} {p.Field} {p.Path}"));
    }

    [Fact]
    public async Task Field_errors_are_the_mappers_own_and_a_delivery_id_path_that_matches_nothing_is_listed()
    {
        const string Body = """{"events":[{"type":"contact.created","contact":{"phone":"12","vip":{"a":1}}},{"id":"e2","type":"x","contact":{"phone":"+447700900124","owner":"nobody"}}]}""";

        var report = await RunAsync(Body);
        var mapped = Assert.IsType<MappingResult.Invalid>(PayloadMapper.Map(Crm, TestSupport.Json(Body)));

        Assert.Equal("invalid", report.Outcome);
        Assert.Equal(mapped.Errors.OrderBy(e => e.Key), report.Errors!.OrderBy(e => e.Key));
        Assert.Contains("items[0].attributes.vip", report.Errors!.Keys);
        Assert.Contains("items[1].staff_email", report.Errors!.Keys);
        Assert.All(report.Items, i => Assert.Null(i.Contacts));
        Assert.Contains(new UnresolvedPath(0, null, "delivery_id", "id"), report.UnresolvedPaths);
        Assert.DoesNotContain(report.UnresolvedPaths, p => p.Item == 1 && p.Field == "delivery_id");
    }

    [Fact]
    public async Task A_signed_sample_is_verified_with_the_integrations_secret()
    {
        var report = await RunAsync("""{"events":[]}""", ("X-Api-Key", Token));

        Assert.Equal("verified", report.Verification.Verdict);
        Assert.Equal("ignored", report.Outcome);
        Assert.Equal(0, report.ItemsFound);
    }

    [Fact]
    public async Task A_wrong_token_fails_verification_and_the_delivery_would_be_unverified_whatever_it_maps_to()
    {
        var report = await RunAsync("""{"events":[{"id":"e1","type":"contact.created","contact":{"phone":"+447700900123"}}]}""", ("X-Api-Key", "wrong"));

        Assert.Equal("failed", report.Verification.Verdict);
        Assert.Equal("bad_signature", report.Verification.Reason);
        Assert.Equal("unverified", report.Outcome);
        Assert.NotNull(Assert.Single(report.Items).Contacts);
    }

    [Fact]
    public async Task A_secret_the_gateway_cannot_read_is_named_by_its_name_only()
    {
        var report = await RunAsync("""{"events":[]}""", [("X-Api-Key", Token)], new InMemorySecretSource([]));

        Assert.Equal("secret_unavailable", report.Verification.Verdict);
        Assert.Equal("crm-token", report.Verification.SecretName);
        Assert.Equal("secret_unavailable", report.Outcome);
    }

    [Fact]
    public async Task More_items_than_a_delivery_may_hold_is_the_routes_too_many_items()
    {
        var report = await RunAsync("""{"events":[{},{},{}]}""", maxItems: 2);

        Assert.Equal("too_many_items", report.Outcome);
        Assert.Contains("at most 2", report.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_contacts_operations_that_outgrow_a_queue_message_are_the_routes_operation_too_large()
    {
        var city = new string('x', 41 * 1024);

        var report = await RunAsync($$$"""{"events":[{"type":"contact.created","contact":{"phone":"+447700900123"}},{"type":"contact.created","contact":{"phone":"+447700900124","city":"{{{city}}}"}}]}""");

        Assert.Equal("operation_too_large", report.Outcome);
        Assert.StartsWith("The operation of items[1] is ", report.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Values_are_checked_against_learned_attribute_types_and_an_attribute_never_seen_is_unknown()
    {
        var types = new AttributeTypeCatalog(Clock);
        types.Learn([new AttributeDefinition("age", "number", false, "public", "Age"), new AttributeDefinition("source", "text", true, "public", "Source")]);

        var report = await RunAsync("""{"events":[{"type":"contact.created","contact":{"phone":"+447700900123","age":"thirty","city":"Leeds"}}]}""", types: types);

        Assert.Equal(["items[0].attributes.age", "items[0].attributes.source"], report.AttributeTypes.Warnings.Select(w => w.Field));
        Assert.Contains("number", report.AttributeTypes.Warnings[0].Problem, StringComparison.Ordinal);
        Assert.True(report.AttributeTypes.Warnings[1].IsReadOnly);
        Assert.Equal(["city"], report.AttributeTypes.Unknown);
        // Warnings are Libromi's likely answer, not the gateway's: the delivery itself would be accepted.
        Assert.Equal("accepted", report.Outcome);
    }

    [Fact]
    public void A_draft_is_validated_by_the_file_validator_with_the_files_field_names()
    {
        var draft = JsonNode.Parse("""{ "verify": { "scheme": "basic", "secret": "pd-secret" }, "operations": [ { "upsert_contact": { "phone_number": "phone", "atributes": {} } } ] }""")!.AsObject();

        Assert.False(IntegrationsFile.TryParseDefinition("pipedrive", draft, out _, out var errors));
        Assert.False(IntegrationsFile.TryParse($$"""{ "integrations": { "pipedrive": {{draft.ToJsonString()}} } }""", out _, out var fileErrors));

        Assert.Equal(fileErrors, errors);
        Assert.Contains(errors, e => e.Field == "integrations.pipedrive.verify.username");
        Assert.Contains(errors, e => e.Field == "integrations.pipedrive.operations[0].upsert_contact.atributes");
    }

    [Theory]
    [InlineData("""{"sample":{"body":{"a":1}}}""", """{"a":1}""", "application/json")]
    [InlineData("""{"sample":{"body_text":"a=1&b=2","content_type":"application/x-www-form-urlencoded"}}""", "a=1&b=2", "application/x-www-form-urlencoded")]
    [InlineData("""{"sample":{"body_text":"{\"a\": 1}"}}""", """{"a": 1}""", null)]
    public void A_sample_becomes_the_bytes_and_content_type_a_sender_would_post(string json, string body, string? contentType)
    {
        Assert.True(DryRunInput.TryRead(JsonNode.Parse(json), out var input, out _));

        Assert.Equal(body, Encoding.UTF8.GetString(input.Body.Span));
        Assert.Equal(contentType, input.ContentType);
    }

    [Fact]
    public void A_delivery_id_stands_for_the_sample_and_keeps_the_draft()
    {
        Assert.True(DryRunInput.TryRead(JsonNode.Parse("""{"delivery_id":"019ae4f2c1d07a3b8c9d0e1f2a3b4c5d","definition":{"operations":[]}}"""), out var input, out _));

        Assert.Equal("019ae4f2c1d07a3b8c9d0e1f2a3b4c5d", input.DeliveryId?.Id);
        Assert.True(input.Body.IsEmpty);
        Assert.NotNull(input.Definition);
    }

    [Theory]
    [InlineData("""[]""", "(body)")]
    [InlineData("""{"sample":{"body":1,"body_text":"1"}}""", "sample.body")]
    [InlineData("""{"sample":{"body":1},"definiton":{}}""", "definiton")]
    [InlineData("""{"sample":{"body":1},"definition":[]}""", "definition")]
    [InlineData("""{"sample":{"body":1},"sample_phone":31}""", "sample_phone")]
    [InlineData("""{"sample":{"body_text":5}}""", "sample.body_text")]
    [InlineData("""{"sample":{"body":1},"delivery_id":"019ae4f2c1d07a3b8c9d0e1f2a3b4c5d"}""", "delivery_id")]
    [InlineData("""{"definition":{}}""", "delivery_id")]
    [InlineData("""{"delivery_id":"019AE4F2C1D07A3B8C9D0E1F2A3B4C5D"}""", "delivery_id")]
    [InlineData("""{"delivery_id":""}""", "delivery_id")]
    [InlineData("""{"delivery_id":"019ae4f2c1d07a3b8c9d0e1f2a3b4c5d","sample_phone":31}""", "sample_phone")]
    public void A_malformed_dry_run_input_names_the_field(string json, string field)
    {
        Assert.False(DryRunInput.TryRead(JsonNode.Parse(json), out _, out var errors));

        Assert.Contains(field, errors.Keys);
    }

    private static Task<DryRunReport> RunAsync(string body, params (string Name, string Value)[] headers) =>
        RunAsync(body, headers, new InMemorySecretSource(new() { ["crm-token"] = Token }));

    private static Task<DryRunReport> RunAsync(string body, int maxItems) =>
        RunAsync(body, [], new InMemorySecretSource(new() { ["crm-token"] = Token }), maxItems: maxItems);

    private static Task<DryRunReport> RunAsync(string body, AttributeTypeCatalog types) =>
        RunAsync(body, [], new InMemorySecretSource(new() { ["crm-token"] = Token }), types: types);

    private static Task<DryRunReport> RunAsync(
        string body, (string Name, string Value)[] headers, InMemorySecretSource secrets, int maxItems = 100, AttributeTypeCatalog? types = null) =>
        IntegrationDryRun.RunAsync(Crm, IntegrationDryRun.Live, TestSupport.Json(body, headers), secrets, Clock, maxItems,
            types ?? new AttributeTypeCatalog(Clock), sampleContact: null);
}
