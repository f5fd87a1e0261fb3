using System.Text.Json;

namespace Libromi.Gateway.Libromi;

/// <summary>
/// One attribute's definition as Libromi shows it inside a contact's answer
/// (<c>contact.contact_attributes[].attribute_field</c>, docs/libromi-api.md): its type (text, textarea, email, url,
/// phone, number, checkbox, select, radio, multiselect, date, datetime), whether it is read-only, and its visibility.
/// </summary>
public sealed record AttributeDefinition(string Name, string FieldType, bool IsReadOnly, string? Visibility, string? Label)
{
    /// <summary>
    /// The definitions in a contact answer (<c>GET /contact/{phone}</c>, or the contact a successful attribute update
    /// returns). Pure and defensive: an answer that is not JSON, or an entry without a name or a field type, yields
    /// nothing for that entry rather than an error, because Libromi's documentation is the only contract.
    /// </summary>
    public static IReadOnlyList<AttributeDefinition> ReadFromContactAnswer(string? answer)
    {
        if (string.IsNullOrWhiteSpace(answer))
        {
            return [];
        }
        try
        {
            using var document = JsonDocument.Parse(answer);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("contact", out var contact)
                || contact.ValueKind != JsonValueKind.Object
                || !contact.TryGetProperty("contact_attributes", out var attributes)
                || attributes.ValueKind != JsonValueKind.Array)
            {
                return [];
            }
            var definitions = new List<AttributeDefinition>();
            foreach (var attribute in attributes.EnumerateArray())
            {
                if (attribute.ValueKind == JsonValueKind.Object
                    && Text(attribute, "attribute_name") is { } name
                    && attribute.TryGetProperty("attribute_field", out var field)
                    && field.ValueKind == JsonValueKind.Object
                    && Text(field, "field_type") is { } fieldType)
                {
                    var readOnly = field.TryGetProperty("is_read_only", out var flag) && flag.ValueKind == JsonValueKind.True
                        || flag.ValueKind == JsonValueKind.Number && flag.TryGetInt32(out var number) && number == 1;
                    definitions.Add(new AttributeDefinition(name, fieldType.ToLowerInvariant(), readOnly, Text(field, "visibility"), Text(field, "attribute_label")));
                }
            }
            return definitions;
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
