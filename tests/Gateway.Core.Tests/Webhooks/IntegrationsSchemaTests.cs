using System.Text.Json;
using Json.Schema;
using Libromi.Gateway.Webhooks;

namespace Libromi.Gateway.Tests.Webhooks;

/// <summary>
/// <c>schemas/integrations.schema.json</c>, which editors use while an author types, and the start-up validator must
/// give the same verdict: every example here goes through both.
/// </summary>
public sealed class IntegrationsSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), "schemas", "integrations.schema.json")));

    private const string Operations = """[ { "upsert_contact": { "phone_number": "phone" } } ]""";

    public static TheoryData<string> ShippedFiles() =>
    [
        .. Directory.GetFiles(Path.Combine(TestSupport.RepositoryRoot(), "docs", "integrations", "presets"), "*.json")
            .Append(Path.Combine(TestSupport.RepositoryRoot(), "functions", "Gateway.Standalone", "integrations.local.json"))
            .Append(Path.Combine(TestSupport.RepositoryRoot(), "docs", "integrations", "walkthrough", "crm.json"))
            .Select(path => Path.GetRelativePath(TestSupport.RepositoryRoot(), path)),
    ];

    /// <summary>Integration definitions (the value under a name), valid ones first.</summary>
    public static TheoryData<string, bool> Definitions() => new()
    {
        { $$"""{ "verify": { "scheme": "standard-webhooks", "secret": "shop-secret", "previous_secret": "shop-secret-old" }, "items": "events", "operations": {{Operations}} }""", true },
        { $$"""{ "verify": { "scheme": "hmac-sha256", "header": "X-Hub-Signature-256", "encoding": "hex", "prefix": "sha256=", "timestamp_header": "X-Ts", "tolerance_seconds": 3600, "secret": "gh" }, "operations": {{Operations}} }""", true },
        { $$"""{ "verify": { "scheme": "hubspot-v3", "secret": "hs", "public_base_url": "https://gateway.example.com" }, "operations": {{Operations}} }""", true },
        { $$"""{ "verify": { "scheme": "basic", "username": "pipedrive", "secret": "pd" }, "delivery_id": { "path": "meta.id" }, "operations": {{Operations}} }""", true },
        { $$"""{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "zap" }, "delivery_id": { "header": "X-Request-Id" }, "default_country_code": "44", "operations": {{Operations}} }""", true },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "zap" }, "operations": [ { "when": { "path": "type", "in": ["a", 1, null] }, "assign_staff": { "phone_number": "data.phone", "staff_email": { "value": "agent@company.test" } } } ] }""", true },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "zap" }, "operations": [ { "when": { "path": "x", "exists": false }, "upsert_contact": { "phone_number": "p", "attributes": { "tags": { "value": ["a", "b"] }, "vip": { "value": true }, "gone": { "value": null } } } } ] }""", true },

        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "zap" }, "operations": [ { "when": { "path": "stage", "equals": "closedwon" }, "trigger_scenario": { "scenario": "deal_won", "phone_number": "contact.phone", "fields": { "name": "contact.name", "order_id": "deal.id", "fixed": { "value": "literal" }, "n": { "value": 3 }, "vip": { "value": true } } } } ] }""", true },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "zap" }, "operations": [ { "trigger_scenario": { "scenario": "deal-won_2", "phone_number": { "value": "+919876543210" } } } ] }""", true },
        { $$"""{ "verify": { "scheme": "none", "secret": "s" }, "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "hmac-sha256", "header": "X-Sig", "encoding": "hex", "secret": "s", "tolerance_seconds": 60 }, "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "hmac-sha256", "header": "X-Sig", "encoding": "hex", "timestamp_header": "X-Ts", "tolerance_seconds": 3601, "secret": "s" }, "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "hmac-sha256", "header": "X-Sig", "encoding": "base32", "secret": "s" }, "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "hmac-sha256", "encoding": "hex", "secret": "s" }, "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "header-token", "header": "X Api Key", "secret": "s" }, "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }, "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "3f2b1c4d-1111-4a5b-9c8d-0123456789ab" }, "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "0123456789abcdef0123456789abcdef" }, "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s", "tolerance": 5 }, "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "basic", "username": "a:b", "secret": "s" }, "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "hubspot-v3", "secret": "s", "public_base_url": "https://gateway.example.com/?x=1" }, "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "default_country_code": "+44", "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "items": "data[0]", "operations": {{Operations}} }""", false },
        { $$"""{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "delivery_id": { "header": "X-Id", "path": "id" }, "operations": {{Operations}} }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" } }""", false },
        { $$"""{ "operations": {{Operations}} }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "upsert_contact": { "phone_number": "p" }, "assign_staff": { "phone_number": "p", "staff_email": "e" } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "when": { "path": "x" } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "when": { "path": "x", "equals": 1, "exists": true }, "upsert_contact": { "phone_number": "p" } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "when": { "path": "x", "in": [] }, "upsert_contact": { "phone_number": "p" } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "when": { "path": "x", "equals": { "a": 1 } }, "upsert_contact": { "phone_number": "p" } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "upsert_contact": { "phone_number": "p", "atributes": {} } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "upsert_contact": { "phone_number": "p", "attributes": { "address": { "value": { "city": "Leeds" } } } } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "upsert_contact": { "phone_number": "p", "attributes": { " ": "x" } } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "upsert_contact": { "phone_number": { "value": "" } } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "upsert_contact": { "phone_number": "data..phone" } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "assign_staff": { "phone_number": "p" } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "trigger_scenario": { "phone_number": "p" } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "trigger_scenario": { "scenario": "deal won", "phone_number": "p" } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "trigger_scenario": { "scenario": "w", "phone_number": "p", "fields": { "address": { "value": { "city": "Leeds" } } } } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "trigger_scenario": { "scenario": "w", "phone_number": "p", "fields": { "tags": { "value": ["a"] } } } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "trigger_scenario": { "scenario": "w", "phone_number": "p", "fields": { "phone_number": "x" } } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "trigger_scenario": { "scenario": "w", "phone_number": "p", "extra": 1 } } ] }""", false },
        { """{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": [ { "upsert_contact": { "phone_number": "p" }, "trigger_scenario": { "scenario": "w", "phone_number": "p" } } ] }""", false },
    };

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Every_shipped_file_is_valid_by_the_schema_and_by_the_validator(string relativePath)
    {
        var json = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), relativePath));

        Assert.True(IntegrationsFile.TryParse(json, out _, out var errors), string.Join("\n", errors?.Select(e => e.Format(relativePath)) ?? []));
        Assert.True(SchemaAccepts(json, out var schemaErrors), schemaErrors);
    }

    [Theory]
    [MemberData(nameof(Definitions))]
    public void The_schema_and_the_start_up_validator_give_the_same_verdict(string definition, bool valid)
    {
        var file = $$"""{ "$schema": "../schemas/integrations.schema.json", "integrations": { "shop": {{definition}} } }""";

        var validatorAccepts = IntegrationsFile.TryParse(file, out _, out var errors);
        var schemaAccepts = SchemaAccepts(file, out var schemaErrors);

        Assert.True(valid == validatorAccepts, $"validator: {string.Join("; ", errors?.Select(e => e.Format("file")) ?? [])}");
        Assert.True(valid == schemaAccepts, $"schema: {schemaErrors}");
    }

    [Theory]
    [InlineData("my shop")]
    [InlineData("-shop")]
    [InlineData("")]
    public void An_integration_name_that_cannot_be_a_route_segment_is_refused_by_both(string name)
    {
        var file = $$"""{ "integrations": { "{{name}}": { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "s" }, "operations": {{Operations}} } } }""";

        Assert.False(IntegrationsFile.TryParse(file, out _, out _));
        Assert.False(SchemaAccepts(file, out _));
    }

    /// <summary>A valid value for each scheme's own fields; a scheme missing here fails <see cref="Every_scheme_has_a_sample_here"/>.</summary>
    private static readonly Dictionary<string, string> SchemeFieldSamples = new(StringComparer.Ordinal)
    {
        ["standard-webhooks"] = "",
        ["hmac-sha256"] = """, "header": "X-Sig", "encoding": "hex", "prefix": "sha256=", "timestamp_header": "X-Ts", "tolerance_seconds": 60""",
        ["hubspot-v3"] = """, "public_base_url": "https://gateway.example.com" """,
        ["basic"] = """, "username": "pipedrive" """,
        ["header-token"] = """, "header": "X-Api-Key" """,
    };

    public static TheoryData<string> SchemeNames() => [.. VerificationScheme.All.Select(s => s.Name)];

    [Fact]
    public void Every_scheme_has_a_sample_here()
    {
        Assert.Equal(VerificationScheme.All.Select(s => s.Name).Order(StringComparer.Ordinal), SchemeFieldSamples.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(SchemeNames))]
    public void Each_schemes_fields_and_required_fields_are_the_schemas(string name)
    {
        var scheme = VerificationScheme.Find(name)!;
        var verify = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), "schemas", "integrations.schema.json")))!["$defs"]!["verify"]!;

        Assert.Contains(name, verify["properties"]!["scheme"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()));
        var block = verify["allOf"]!.AsArray().Single(b => b!["if"]!["properties"]!["scheme"]!["const"]!.GetValue<string>() == name)!["then"]!;
        Assert.Equal(VerificationScheme.CommonFields.Concat(scheme.Fields).Order(StringComparer.Ordinal),
            block["propertyNames"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(scheme.RequiredFields.Order(StringComparer.Ordinal),
            (block["required"]?.AsArray().Select(n => n!.GetValue<string>()) ?? []).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(SchemeNames))]
    public void Each_schemes_fields_are_accepted_and_each_required_one_left_out_is_refused_by_both(string name)
    {
        var scheme = VerificationScheme.Find(name)!;
        string File(string fields) => $$"""{ "integrations": { "shop": { "verify": { "scheme": "{{name}}", "secret": "s"{{fields}} }, "operations": {{Operations}} } } }""";
        var sample = SchemeFieldSamples[name];

        Assert.True(IntegrationsFile.TryParse(File(sample), out _, out var errors), string.Join("; ", errors?.Select(e => e.Format("file")) ?? []));
        Assert.True(SchemaAccepts(File(sample), out var schemaErrors), schemaErrors);
        foreach (var field in scheme.Fields)
        {
            Assert.Contains($"\"{field}\"", sample, StringComparison.Ordinal);
        }
        foreach (var required in scheme.RequiredFields)
        {
            var without = System.Text.RegularExpressions.Regex.Replace(sample, $$"""\s*,\s*"{{required}}":\s*"[^"]*"\s*""", "");
            Assert.False(IntegrationsFile.TryParse(File(without), out _, out _), $"the validator accepts {name} without {required}");
            Assert.False(SchemaAccepts(File(without), out _), $"the schema accepts {name} without {required}");
        }
        Assert.False(IntegrationsFile.TryParse(File(sample + ", \"unknown_field\": 1"), out _, out _));
        Assert.False(SchemaAccepts(File(sample + ", \"unknown_field\": 1"), out _));
    }

    private static bool SchemaAccepts(string json, out string errors)
    {
        // The gateway reads the file with comments and trailing commas allowed, as editors do with JSONC.
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var result = Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        errors = string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));
        return result.IsValid;
    }
}
