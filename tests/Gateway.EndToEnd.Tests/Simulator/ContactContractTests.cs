using System.Text.Json;
using Libromi.Gateway.EndToEnd.Fixtures;
using static Libromi.Gateway.EndToEnd.Simulator.ContractAssert;

namespace Libromi.Gateway.EndToEnd.Simulator;

/// <summary>The contact endpoints as docs/libromi-api.md describes them: get-or-create, attribute updates, SUCCESS/FAILED.</summary>
public sealed class ContactContractTests
{
    [Fact]
    public async Task Get_contact_answers_SUCCESS_with_the_documented_contact_shape()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        using var response = await simulator.Client.GetAsync(ContactPath("15551234567"));

        var body = await StatusAndJsonAsync(response, 200);
        HasExactlyProperties(body, "status", "message", "contact");
        Assert.Equal("SUCCESS", body.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        var contact = body.GetProperty("contact");
        HasExactlyProperties(
            contact,
            "id", "name", "phone_number", "dnd_enabled", "created_at", "updated_at", "conversations",
            "contact_attributes", "contact_attributes_map", "contact_groups", "tags");
        Assert.Equal(JsonValueKind.Number, contact.GetProperty("id").ValueKind);
        Assert.Equal("15551234567", contact.GetProperty("phone_number").GetString());
        Assert.False(contact.GetProperty("dnd_enabled").GetBoolean());
        Assert.True(DateTimeOffset.TryParse(contact.GetProperty("created_at").GetString(), out _));
        Assert.Equal(JsonValueKind.Array, contact.GetProperty("contact_attributes").ValueKind);
        Assert.Equal(JsonValueKind.Object, contact.GetProperty("contact_attributes_map").ValueKind);
        Assert.Equal(JsonValueKind.Array, contact.GetProperty("contact_groups").ValueKind);
        Assert.Equal(JsonValueKind.Array, contact.GetProperty("tags").ValueKind);
        var conversation = Assert.Single(contact.GetProperty("conversations").EnumerateArray());
        HasExactlyProperties(conversation, "id", "state", "assigned_staff");
        Assert.Equal(JsonValueKind.Null, conversation.GetProperty("assigned_staff").ValueKind);
    }

    [Fact]
    public async Task Get_contact_creates_an_unknown_number_on_the_fly()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        Assert.Null(await simulator.Inspector.GetContactAsync("919876543210"));

        using var response = await simulator.Client.GetAsync(ContactPath("919876543210"));

        var body = await StatusAndJsonAsync(response, 200);
        var created = await simulator.Inspector.GetContactAsync("919876543210");
        Assert.NotNull(created);
        Assert.Equal(body.GetProperty("contact").GetProperty("id").GetInt64(), created.Id);
    }

    [Fact]
    public async Task Punctuated_and_plain_forms_of_a_number_address_the_same_contact()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        var ids = new List<long>();
        foreach (var form in new[] { "+1-234-567-890", "(123) 456-7890", "1234567890" })
        {
            using var response = await simulator.Client.GetAsync(ContactPath(form));
            var contact = (await StatusAndJsonAsync(response, 200)).GetProperty("contact");
            Assert.Equal("1234567890", contact.GetProperty("phone_number").GetString());
            ids.Add(contact.GetProperty("id").GetInt64());
        }

        Assert.Single(ids.Distinct());
        Assert.Single(await simulator.Inspector.GetContactsAsync());
    }

    [Fact]
    public async Task Attribute_update_answers_SUCCESS_with_the_updated_contact()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        using var response = await simulator.Client.PutAsync(
            AttributesPath("1234567890"),
            Json("""{"age": 31, "city": "New York", "is_vip": true, "preferred_languages": ["english"], "nickname": null}"""));

        var body = await StatusAndJsonAsync(response, 200);
        HasExactlyProperties(body, "status", "message", "contact");
        Assert.Equal("SUCCESS", body.GetProperty("status").GetString());
        Assert.Equal("Contact attributes updated successfully", body.GetProperty("message").GetString());
        var map = body.GetProperty("contact").GetProperty("contact_attributes_map");
        HasExactlyProperties(map, "age", "city", "is_vip", "preferred_languages");
        Assert.Equal(31, map.GetProperty("age").GetInt32());
        Assert.Equal("New York", map.GetProperty("city").GetString());
        Assert.True(map.GetProperty("is_vip").GetBoolean());
        Assert.Equal("english", Assert.Single(map.GetProperty("preferred_languages").EnumerateArray()).GetString());
        var listed = body.GetProperty("contact").GetProperty("contact_attributes").EnumerateArray().ToList();
        Assert.Equal(4, listed.Count);
        HasExactlyProperties(listed[0], "attribute_name", "attribute_value", "display_value", "attribute_field");
    }

    [Fact]
    public async Task Each_listed_attribute_carries_its_definition_as_the_documentation_shows()
    {
        await using var simulator = await SimulatorFixture.StartAsync(new Dictionary<string, string?> { ["Simulator:ReadOnlyAttributes:0"] = "customer_id" });
        await simulator.Inspector.SeedAttributesAsync("447700900123", """{"customer_id": "C-9"}""");
        using var update = await simulator.Client.PutAsync(AttributesPath("447700900123"), Json("""{"age": 31, "is_vip": true, "preferred_languages": ["english", "french"], "nickname": "Ana"}"""));
        await StatusAndJsonAsync(update, 200);

        using var response = await simulator.Client.GetAsync(ContactPath("447700900123"));

        var listed = (await StatusAndJsonAsync(response, 200)).GetProperty("contact").GetProperty("contact_attributes").EnumerateArray()
            .ToDictionary(a => a.GetProperty("attribute_name").GetString()!);
        Assert.Equal(["age", "customer_id", "is_vip", "nickname", "preferred_languages"], listed.Keys.Order(StringComparer.Ordinal));
        var age = listed["age"];
        Assert.Equal(31, age.GetProperty("attribute_value").GetInt32());
        Assert.Equal("31", age.GetProperty("display_value").GetString());
        HasExactlyProperties(age.GetProperty("attribute_field"), "attribute_label", "field_type", "is_read_only", "visibility");
        Assert.Equal("number", age.GetProperty("attribute_field").GetProperty("field_type").GetString());
        Assert.Equal("Age", age.GetProperty("attribute_field").GetProperty("attribute_label").GetString());
        Assert.False(age.GetProperty("attribute_field").GetProperty("is_read_only").GetBoolean());
        Assert.Equal("checkbox", listed["is_vip"].GetProperty("attribute_field").GetProperty("field_type").GetString());
        Assert.Equal("Yes", listed["is_vip"].GetProperty("display_value").GetString());
        Assert.Equal("multiselect", listed["preferred_languages"].GetProperty("attribute_field").GetProperty("field_type").GetString());
        Assert.Equal("english, french", listed["preferred_languages"].GetProperty("display_value").GetString());
        Assert.Equal("text", listed["nickname"].GetProperty("attribute_field").GetProperty("field_type").GetString());
        Assert.True(listed["customer_id"].GetProperty("attribute_field").GetProperty("is_read_only").GetBoolean());
    }

    [Theory]
    [InlineData("\"C-10\"")]
    [InlineData("null")]
    public async Task Any_update_of_a_read_only_attribute_is_a_422_naming_it(string value)
    {
        await using var simulator = await SimulatorFixture.StartAsync(new Dictionary<string, string?> { ["Simulator:ReadOnlyAttributes:0"] = "customer_id" });

        using var response = await simulator.Client.PutAsync(AttributesPath("447700900123"), Json($$"""{"customer_id": {{value}}}"""));

        var body = await StatusAndJsonAsync(response, 422);
        Assert.Equal("FAILED", body.GetProperty("status").GetString());
        Assert.Contains("read-only", Assert.Single(body.GetProperty("errors").GetProperty("customer_id").EnumerateArray()).GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attribute_update_creates_a_missing_contact()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        using var response = await simulator.Client.PutAsync(AttributesPath("+44 7700 900123"), Json("""{"city": "Leeds"}"""));

        await StatusAndJsonAsync(response, 200);
        var contact = await simulator.Inspector.GetContactAsync("447700900123");
        Assert.NotNull(contact);
        Assert.Equal("Leeds", contact.Attributes["city"].GetString());
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"\"")]
    public async Task Null_or_empty_string_removes_an_attribute(string removal)
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using (var set = await simulator.Client.PutAsync(AttributesPath("1234567890"), Json("""{"city": "Paris", "nickname": "Bo"}""")))
        {
            await StatusAndJsonAsync(set, 200);
        }

        using var response = await simulator.Client.PutAsync(AttributesPath("1234567890"), Json($$"""{"nickname": {{removal}}}"""));

        var map = (await StatusAndJsonAsync(response, 200)).GetProperty("contact").GetProperty("contact_attributes_map");
        HasExactlyProperties(map, "city");
        var stored = await simulator.Inspector.GetContactAsync("1234567890");
        Assert.Equal(["city"], stored!.Attributes.Keys);
    }

    [Fact]
    public async Task Invalid_email_and_age_are_refused_with_422_field_errors_and_nothing_is_stored()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        using var response = await simulator.Client.PutAsync(
            AttributesPath("1234567890"),
            Json("""{"email": "not-an-email", "age": "thirty", "city": "Oslo"}"""));

        var body = await StatusAndJsonAsync(response, 422);
        HasExactlyProperties(body, "status", "message", "errors");
        Assert.Equal("FAILED", body.GetProperty("status").GetString());
        Assert.Equal("Validation failed", body.GetProperty("message").GetString());
        var errors = body.GetProperty("errors");
        HasExactlyProperties(errors, "email", "age");
        Assert.Equal(JsonValueKind.String, Assert.Single(errors.GetProperty("age").EnumerateArray()).ValueKind);
        Assert.Equal(JsonValueKind.String, Assert.Single(errors.GetProperty("email").EnumerateArray()).ValueKind);
        var contact = await simulator.Inspector.GetContactAsync("1234567890");
        Assert.True(contact is null || contact.Attributes.Count == 0, "A refused update must not change the contact.");
    }

    [Fact]
    public async Task Valid_email_and_numeric_string_age_are_accepted_and_age_is_stored_as_a_number()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        using var response = await simulator.Client.PutAsync(
            AttributesPath("1234567890"),
            Json("""{"email": "ada@example.com", "age": "42"}"""));

        var map = (await StatusAndJsonAsync(response, 200)).GetProperty("contact").GetProperty("contact_attributes_map");
        Assert.Equal("ada@example.com", map.GetProperty("email").GetString());
        Assert.Equal(JsonValueKind.Number, map.GetProperty("age").ValueKind);
        Assert.Equal(42, map.GetProperty("age").GetInt32());
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("\"age=31\"")]
    [InlineData("{\"age\": ")]
    [InlineData("")]
    public async Task A_body_that_is_not_a_json_object_is_refused_with_422(string body)
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        using var response = await simulator.Client.PutAsync(AttributesPath("1234567890"), Json(body));

        var json = await StatusAndJsonAsync(response, 422);
        Assert.Equal("FAILED", json.GetProperty("status").GetString());
        Assert.True(json.GetProperty("errors").TryGetProperty("attributes", out _));
    }

    [Fact]
    public async Task Nested_objects_are_refused_for_attributes_the_schema_does_not_know()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        using var response = await simulator.Client.PutAsync(AttributesPath("1234567890"), Json("""{"address": {"street": "Main"}}"""));

        var errors = (await StatusAndJsonAsync(response, 422)).GetProperty("errors");
        HasExactlyProperties(errors, "address");
    }

    [Fact]
    public async Task Configured_attribute_types_are_validated()
    {
        await using var simulator = await SimulatorFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator__AttributeTypes__signup_date"] = "date",
        });

        using var bad = await simulator.Client.PutAsync(AttributesPath("1234567890"), Json("""{"signup_date": "31/01/2025"}"""));
        using var good = await simulator.Client.PutAsync(AttributesPath("1234567890"), Json("""{"signup_date": "2025-01-31"}"""));

        HasExactlyProperties((await StatusAndJsonAsync(bad, 422)).GetProperty("errors"), "signup_date");
        await StatusAndJsonAsync(good, 200);
    }

    [Fact]
    public async Task A_phone_number_without_digits_is_refused_with_422()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        using var response = await simulator.Client.GetAsync(ContactPath("no-digits"));

        var errors = (await StatusAndJsonAsync(response, 422)).GetProperty("errors");
        HasExactlyProperties(errors, "phone_number");
        Assert.Empty(await simulator.Inspector.GetContactsAsync());
    }
}
