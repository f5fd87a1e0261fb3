using System.Globalization;
using System.Net.Mail;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Libromi.Gateway.Libromi;

/// <summary>
/// Whether a value can be stored in an attribute of a given definition, by the types docs/libromi-api.md lists.
/// Pure. It only says "cannot": a value it lets through may still be refused (an option that is not in a select's
/// list, which the contact answer does not show), so its findings are warnings, never a reason to refuse a delivery.
/// </summary>
public static class AttributeValueCheck
{
    /// <summary>Why <paramref name="value"/> cannot be stored in <paramref name="definition"/>, or null when it can (as far as the type shows).</summary>
    public static string? Problem(AttributeDefinition definition, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.IsReadOnly)
        {
            return $"\"{definition.Name}\" is read-only in Libromi; Libromi refuses any change to it with a 422";
        }
        // null or "" removes the attribute, whatever its type.
        if (value is null || value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length == 0)
        {
            return null;
        }

        var kind = value.GetValueKind();
        var text = kind == JsonValueKind.String ? value.GetValue<string>() : null;
        return definition.FieldType switch
        {
            "number" => kind == JsonValueKind.Number || text is not null && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                ? null : Expected(definition, value, "a number"),
            "checkbox" => kind is JsonValueKind.True or JsonValueKind.False
                || kind == JsonValueKind.Number && value.ToJsonString() is "0" or "1"
                || text is "0" or "1" or "true" or "false"
                ? null : Expected(definition, value, "true or false"),
            "multiselect" => value is JsonArray array && array.All(e => e?.GetValueKind() == JsonValueKind.String)
                ? null : Expected(definition, value, "a list of strings from its options"),
            "email" => text is not null && IsEmail(text) ? null : Expected(definition, value, "an email address"),
            "url" => text is not null && Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? null : Expected(definition, value, "an http(s) URL"),
            "date" => text is not null && DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                ? null : Expected(definition, value, "a date written YYYY-MM-DD"),
            "datetime" => text is not null && DateTime.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                ? null : Expected(definition, value, "a date and time written YYYY-MM-DDTHH:MM:SSZ"),
            // text, textarea, phone, select, radio: one value; an array or an object cannot be one.
            _ => kind is JsonValueKind.Array or JsonValueKind.Object ? Expected(definition, value, "a single value") : null,
        };
    }

    private static string Expected(AttributeDefinition definition, JsonNode value, string expected) =>
        $"\"{definition.Name}\" is a {definition.FieldType} attribute in Libromi and takes {expected}; the mapped value {Describe(value)} cannot be one, so Libromi would refuse it with a 422";

    private static string Describe(JsonNode value)
    {
        var json = value.ToJsonString();
        return json.Length <= 60 ? json : json[..57] + "...";
    }

    private static bool IsEmail(string text) =>
        MailAddress.TryCreate(text, out var address) && string.Equals(address.Address, text, StringComparison.Ordinal);
}
