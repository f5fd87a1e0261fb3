using System.Text.Json.Nodes;
using Libromi.Gateway.Libromi;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.Libromi;

public sealed class AttributeDefinitionTests
{
    // The shape docs/libromi-api.md restates: contact.contact_attributes[].attribute_field.
    private const string ContactAnswer = """
        {"status":"SUCCESS","message":"Contact retrieved successfully","contact":{"id":7,"phone_number":"447700900123",
         "contact_attributes":[
           {"attribute_name":"age","attribute_value":31,"display_value":"31","attribute_field":{"attribute_label":"Age","field_type":"number","is_read_only":false,"visibility":"public"}},
           {"attribute_name":"customer_id","attribute_value":"C-9","display_value":"C-9","attribute_field":{"attribute_label":"Customer id","field_type":"Text","is_read_only":true,"visibility":"hidden"}},
           {"attribute_name":"broken","attribute_value":"x"},
           {"attribute_field":{"field_type":"text"}}
         ],
         "contact_attributes_map":{"age":31,"customer_id":"C-9"}}}
        """;

    [Fact]
    public void A_contact_answer_yields_each_attributes_definition_and_skips_entries_without_one()
    {
        var definitions = AttributeDefinition.ReadFromContactAnswer(ContactAnswer);

        Assert.Equal(
            [new AttributeDefinition("age", "number", false, "public", "Age"), new AttributeDefinition("customer_id", "text", true, "hidden", "Customer id")],
            definitions);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("<html>502</html>")]
    [InlineData("""{"status":"SUCCESS"}""")]
    [InlineData("""{"contact":{"contact_attributes":{}}}""")]
    public void An_answer_without_definitions_yields_none_rather_than_an_error(string? answer)
    {
        Assert.Empty(AttributeDefinition.ReadFromContactAnswer(answer));
    }

    [Fact]
    public void The_catalog_keeps_the_definition_seen_last()
    {
        var catalog = new AttributeTypeCatalog(new FakeTimeProvider());
        catalog.Learn([new AttributeDefinition("age", "text", false, null, null)]);

        catalog.LearnFromContactAnswer(ContactAnswer);

        Assert.True(catalog.TryGet("age", out var age));
        Assert.Equal("number", age.Definition.FieldType);
        Assert.False(catalog.TryGet("broken", out _));
    }

    [Theory]
    [InlineData("number", "31", true)]
    [InlineData("number", "\"31.5\"", true)]
    [InlineData("number", "\"thirty\"", false)]
    [InlineData("number", "true", false)]
    [InlineData("checkbox", "true", true)]
    [InlineData("checkbox", "\"1\"", true)]
    [InlineData("checkbox", "\"yes\"", false)]
    [InlineData("email", "\"ana@example.com\"", true)]
    [InlineData("email", "\"ana at example\"", false)]
    [InlineData("url", "\"https://example.com/a\"", true)]
    [InlineData("url", "\"example.com\"", false)]
    [InlineData("date", "\"2026-03-01\"", true)]
    [InlineData("date", "\"01/03/2026\"", false)]
    [InlineData("datetime", "\"2026-03-01T09:00:00Z\"", true)]
    [InlineData("datetime", "\"2026-03-01 09:00\"", false)]
    [InlineData("multiselect", "[\"english\"]", true)]
    [InlineData("multiselect", "\"english\"", false)]
    [InlineData("text", "\"Leeds\"", true)]
    [InlineData("text", "31", true)]
    [InlineData("select", "[\"a\",\"b\"]", false)]
    [InlineData("number", "null", true)]
    [InlineData("number", "\"\"", true)]
    public void A_value_is_refused_only_when_it_cannot_be_of_the_attributes_type(string fieldType, string json, bool acceptable)
    {
        var problem = AttributeValueCheck.Problem(new AttributeDefinition("field", fieldType, false, null, null), JsonNode.Parse(json));

        Assert.Equal(acceptable, problem is null);
        if (problem is not null)
        {
            Assert.Contains("\"field\"", problem, StringComparison.Ordinal);
            Assert.Contains(fieldType, problem, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("\"x\"")]
    [InlineData("null")]
    public void Any_change_to_a_read_only_attribute_is_refused_even_a_removal(string json)
    {
        var problem = AttributeValueCheck.Problem(new AttributeDefinition("customer_id", "text", true, null, null), JsonNode.Parse(json));

        Assert.Contains("read-only", problem, StringComparison.Ordinal);
    }
}
