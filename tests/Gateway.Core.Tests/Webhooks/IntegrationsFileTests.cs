using Libromi.Gateway.Webhooks;

namespace Libromi.Gateway.Tests.Webhooks;

public sealed class IntegrationsFileTests
{
    private const string ValidOperations = """[ { "upsert_contact": { "phone_number": "phone" } } ]""";

    private static IntegrationsFileException Invalid(string json) =>
        Assert.Throws<IntegrationsFileException>(() => IntegrationsFile.Parse(json, "integrations.json"));

    private static IntegrationsFileException InvalidIntegration(string definition) =>
        Invalid($$"""{ "integrations": { "shop": {{definition}} } }""");

    private static void AssertError(IntegrationsFileException exception, string field, string problemFragment)
    {
        Assert.Contains(exception.Errors, e => e.Field == field && e.Problem.Contains(problemFragment, StringComparison.Ordinal));
        Assert.Contains($"integrations.json: {field}: ", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_issues_example_file_parses_including_its_comment()
    {
        var integrations = IntegrationsFile.Parse("""
            {
              "integrations": {
                "shop-orders": {
                  "verify": { "scheme": "standard-webhooks", "secret": "shop-orders-webhook-secret" },
                  "items": "events",
                  "operations": [
                    { "when": { "path": "type", "equals": "customer.created" },
                      "upsert_contact": { "phone_number": "data.phone",
                                          "attributes": { "city": "data.address.city", "source": { "value": "shop" } } } },
                    { "when": { "path": "type", "equals": "customer.owner_changed" },
                      "assign_staff": { "phone_number": "data.phone", "staff_email": "data.owner.email" } }
                  ],
                  "default_country_code": "44",
                  "delivery_id": { "header": "X-Request-Id" }   // optional: or { "path": "id" }; see Deduplication
                }
              }
            }
            """, "integrations.json");

        Assert.True(integrations.TryGetValue("SHOP-ORDERS", out var shop));
        Assert.Equal("shop-orders-webhook-secret", shop.Verification.Secret);
        Assert.Equal(2, shop.Operations.Count);
        Assert.Equal(new DeliveryIdSource.Header("X-Request-Id"), shop.DeliveryId);
    }

    [Fact]
    public void Unknown_scheme_is_named_with_the_schemes_that_exist()
    {
        var error = InvalidIntegration($$"""{ "verify": { "scheme": "hmac-sha1", "secret": "s" }, "operations": {{ValidOperations}} }""");
        AssertError(error, "integrations.shop.verify.scheme", "hmac-sha256");
    }

    [Fact]
    public void Scheme_none_is_refused_with_the_alternative()
    {
        var error = InvalidIntegration($$"""{ "verify": { "scheme": "none" }, "operations": {{ValidOperations}} }""");
        AssertError(error, "integrations.shop.verify.scheme", "header-token");
    }

    [Fact]
    public void Missing_secret_is_an_error_on_the_secret_field()
    {
        var error = InvalidIntegration($$"""{ "verify": { "scheme": "standard-webhooks" }, "operations": {{ValidOperations}} }""");
        AssertError(error, "integrations.shop.verify.secret", "required");
    }

    [Theory]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_")]
    [InlineData("3f2b1c4d-1111-4a5b-9c8d-0123456789ab", "GUID")]
    [InlineData("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "hex")]
    [InlineData("pass word!", "secret name")]
    public void Literal_secret_values_are_refused_without_repeating_them(string secret, string problemFragment)
    {
        var error = InvalidIntegration($$"""{ "verify": { "scheme": "standard-webhooks", "secret": "{{secret}}" }, "operations": {{ValidOperations}} }""");
        AssertError(error, "integrations.shop.verify.secret", problemFragment);
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data.phones[0]", "brackets")]
    [InlineData("data..phone", "empty segment")]
    [InlineData(".phone", "empty segment")]
    [InlineData("data phone", "white space")]
    public void Bad_path_syntax_names_the_field(string path, string problemFragment)
    {
        var error = InvalidIntegration($$"""
            { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" },
              "operations": [ { "upsert_contact": { "phone_number": "{{path}}" } } ] }
            """);
        AssertError(error, "integrations.shop.operations[0].upsert_contact.phone_number", problemFragment);
    }

    [Fact]
    public void Operation_without_phone_number_is_an_error()
    {
        var error = InvalidIntegration("""
            { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" },
              "operations": [ { "assign_staff": { "staff_email": "owner.email" } } ] }
            """);
        AssertError(error, "integrations.shop.operations[0].assign_staff.phone_number", "required");
    }

    [Fact]
    public void Unknown_fields_are_errors_so_typos_do_not_silently_map_nothing()
    {
        var error = InvalidIntegration("""
            { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token", "tolerance": 5 },
              "operations": [ { "upsert_contact": { "phone_number": "phone", "atributes": { "city": "city" } } } ],
              "default_country": "44" }
            """);
        AssertError(error, "integrations.shop.verify.tolerance", "unknown field");
        AssertError(error, "integrations.shop.operations[0].upsert_contact.atributes", "unknown field");
        AssertError(error, "integrations.shop.default_country", "unknown field");
        Assert.Equal(3, error.Errors.Count);
    }

    [Fact]
    public void Every_problem_in_the_file_is_reported_at_once_with_its_integration()
    {
        var error = Invalid("""
            { "integrations": {
                "a": { "verify": { "scheme": "basic", "secret": "pw" }, "operations": [] },
                "b": { "verify": { "scheme": "hmac-sha256", "header": "X-Sig", "encoding": "hexadecimal", "secret": "s" },
                       "operations": [ { "when": { "path": "type", "equals": "x", "in": ["y"] }, "upsert_contact": { "phone_number": "p" } } ],
                       "default_country_code": "+44" }
            } }
            """);
        AssertError(error, "integrations.a.verify.username", "required");
        AssertError(error, "integrations.a.operations", "non-empty");
        AssertError(error, "integrations.b.verify.encoding", "hex");
        AssertError(error, "integrations.b.operations[0].when", "exactly one");
        AssertError(error, "integrations.b.default_country_code", "1-3 digits");
    }

    [Theory]
    [InlineData("""{ "upsert_contact": { "phone_number": "p" }, "assign_staff": { "phone_number": "p", "staff_email": "e" } }""", "integrations.shop.operations[0]", "exactly one")]
    [InlineData("""{ "upsert_contact": { "phone_number": "p", "attributes": { "address": { "value": { "city": "x" } } } } }""", "integrations.shop.operations[0].upsert_contact.attributes.address.value", "flat")]
    [InlineData("""{ "upsert_contact": { "phone_number": { "literal": "x" } } }""", "integrations.shop.operations[0].upsert_contact.phone_number", "{ \"value\"")]
    [InlineData("""{ "when": { "path": "p", "exists": "yes" }, "upsert_contact": { "phone_number": "p" } }""", "integrations.shop.operations[0].when.exists", "true or false")]
    public void Malformed_operations_name_the_field(string operation, string field, string problemFragment)
    {
        var error = InvalidIntegration($$"""
            { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" }, "operations": [ {{operation}} ] }
            """);
        AssertError(error, field, problemFragment);
    }

    [Fact]
    public void Tolerance_without_a_timestamp_header_is_an_error()
    {
        var error = InvalidIntegration($$"""
            { "verify": { "scheme": "hmac-sha256", "header": "X-Sig", "encoding": "hex", "tolerance_seconds": 60, "secret": "s" }, "operations": {{ValidOperations}} }
            """);
        AssertError(error, "integrations.shop.verify.tolerance_seconds", "timestamp_header");
    }

    [Fact]
    public void Names_that_cannot_be_a_route_segment_and_duplicates_ignoring_case_are_refused()
    {
        var definition = $$"""{ "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" }, "operations": {{ValidOperations}} }""";
        var error = Invalid($$"""{ "integrations": { "my shop": {{definition}}, "Shop": {{definition}}, "shop": {{definition}} } }""");
        AssertError(error, "integrations.my shop", "/api/hooks/{integration}");
        AssertError(error, "integrations.shop", "duplicates");
    }

    [Fact]
    public void Not_json_at_all_is_one_clear_error()
    {
        var error = Invalid("integrations: yes");
        AssertError(error, "(file)", "not valid JSON");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3601)]
    [InlineData(86400)]
    public void A_tolerance_outside_one_second_to_an_hour_is_refused(int seconds)
    {
        var error = InvalidIntegration($$"""
            { "verify": { "scheme": "hmac-sha256", "header": "X-Sig", "encoding": "hex", "timestamp_header": "X-Ts", "tolerance_seconds": {{seconds}}, "secret": "s" },
              "operations": {{ValidOperations}} }
            """);
        AssertError(error, "integrations.shop.verify.tolerance_seconds", $"from 1 to {IntegrationsFile.MaxToleranceSeconds}");
    }

    [Fact]
    public void A_key_written_twice_is_one_clear_error_not_a_silent_override()
    {
        var error = Invalid("""{ "integrations": {}, "integrations": {} }""");
        AssertError(error, "(file)", "Duplicate property 'integrations'");
    }
}
