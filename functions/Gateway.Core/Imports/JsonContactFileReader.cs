using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Libromi.Gateway.Imports;

/// <summary>
/// Reads a JSON array of <c>{phone_number, name, group, attributes, staff_email}</c> element by element:
/// <see cref="JsonArrayElements"/> holds the element being read (at most <see cref="ImportOptions.MaxRecordBytes"/>),
/// never the array.
/// </summary>
internal static class JsonContactFileReader
{
    public static async IAsyncEnumerable<ImportRowResult> ReadAsync(ImportBodyStream body, ImportOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureArrayAsync(body, cancellationToken).ConfigureAwait(false);

        var builder = new ContactRowBuilder(options);
        var elements = new JsonArrayElements(body, options.MaxRecordBytes);
        while (await elements.NextAsync(cancellationToken).ConfigureAwait(false) is { } element)
        {
            yield return MapElement(elements.Count, element, builder, options);
        }

        if (elements.Count == 0)
        {
            throw new ImportFileException(ImportFileErrorCodes.NoDataRows, "The JSON array is empty; there is nothing to import.");
        }
    }

    private static ImportRowResult MapElement(int line, JsonElement element, ContactRowBuilder builder, ImportOptions options)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new ImportRowError(line, ImportRowError.WholeRow, $"Element {line} is {Describe(element.ValueKind)}; each element must be an object such as {{\"phone_number\": \"+447700900123\"}}.");
        }

        string? phoneNumber = null, name = null, group = null, staffEmail = null;
        var attributes = new JsonObject();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                // As on every other route: which value a reader takes differs between parsers, so neither is guessed.
                return new ImportRowError(line, Http.Problems.Sanitize(property.Name) ?? ImportRowError.WholeRow,
                    "The property appears twice in this element; send each field once.");
            }
            var value = property.Value;
            // Unknown properties are ignored: tools that export contacts add ids and timestamps of their own.
            switch (property.Name)
            {
                case "phone_number":
                    if (value.ValueKind != JsonValueKind.String)
                    {
                        return WrongType(line, "phone_number", value, "a string such as \"+447700900123\"");
                    }
                    phoneNumber = value.GetString();
                    break;
                case "name" or "group" or "staff_email":
                    if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    {
                        return WrongType(line, property.Name, value, "a string");
                    }
                    var text = value.GetString();
                    if (property.Name == "name") name = text;
                    else if (property.Name == "group") group = text;
                    else staffEmail = text;
                    break;
                case "attributes":
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        break;
                    }
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        return WrongType(line, "attributes", value, "an object of attribute names to values");
                    }
                    foreach (var attribute in value.EnumerateObject())
                    {
                        if (string.IsNullOrWhiteSpace(attribute.Name))
                        {
                            return new ImportRowError(line, "attributes", "An attribute name must not be empty.");
                        }
                        if (attributes.ContainsKey(attribute.Name))
                        {
                            return new ImportRowError(line, $"attributes.{Http.Problems.Sanitize(attribute.Name)}", "The attribute appears twice in this element; send each field once.");
                        }
                        if (!TryToAttributeValue(attribute.Value, out var node))
                        {
                            return WrongType(line, $"attributes.{attribute.Name}", attribute.Value, "a string, number, boolean, array of strings, or null to remove it");
                        }
                        attributes[attribute.Name] = node;
                    }
                    break;
            }
        }

        // As in the CSV, an empty name or group means "leave unchanged"; to remove one, send it as null in attributes.
        if (!string.IsNullOrWhiteSpace(name))
        {
            attributes[options.NameAttribute] = name.Trim();
        }
        if (!string.IsNullOrWhiteSpace(group))
        {
            attributes[options.GroupAttribute] = group.Trim();
        }

        return builder.Build(line, phoneNumber, attributes, staffEmail);
    }

    /// <summary>Attribute values pass through as given, in the shapes Libromi's attribute update takes.</summary>
    private static bool TryToAttributeValue(JsonElement value, out JsonNode? node)
    {
        node = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                // A null value removes the attribute at Libromi; kept explicitly.
                return true;
            case JsonValueKind.String:
                node = JsonValue.Create(value.GetString());
                return true;
            case JsonValueKind.Number:
                // Wrapping the element keeps the number exactly as written (1.50 stays 1.50).
                node = JsonValue.Create(value);
                return true;
            case JsonValueKind.True or JsonValueKind.False:
                node = JsonValue.Create(value.GetBoolean());
                return true;
            case JsonValueKind.Array:
                var array = new JsonArray();
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        return false;
                    }
                    array.Add(item.GetString());
                }
                node = array;
                return true;
            default:
                return false;
        }
    }

    private static ImportRowError WrongType(int line, string field, JsonElement value, string expected) =>
        new(line, field, $"{field} must be {expected}; found {Describe(value.ValueKind)}.");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>
    /// Refuses anything but an array before the serializer sees it, so a single object (a common mistake: one
    /// contact instead of a list) gets its own error instead of a generic conversion failure.
    /// </summary>
    private static async ValueTask EnsureArrayAsync(ImportBodyStream body, CancellationToken cancellationToken)
    {
        for (var size = 256; ; size *= 4)
        {
            var head = await body.PeekAsync(size, cancellationToken).ConfigureAwait(false);
            var span = head.Span;
            if (span.StartsWith("\uFEFF"u8))
            {
                span = span[3..];
            }
            var first = span.IndexOfAnyExcept(" \t\r\n"u8);
            if (first >= 0)
            {
                if (span[first] != (byte)'[')
                {
                    throw new ImportFileException(
                        ImportFileErrorCodes.NotAJsonArray,
                        $"The JSON must be an array of contacts ([{{\"phone_number\": ...}}, ...]); it starts with '{(char)span[first]}'.");
                }
                return;
            }
            if (head.Length < size)
            {
                throw new ImportFileException(ImportFileErrorCodes.EmptyFile, "The file is empty; send a JSON array of contacts.");
            }
            if (size >= 64 * 1024)
            {
                // Only whitespace so far: let the serializer judge what follows.
                return;
            }
        }
    }
}
