using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Libromi.Gateway.Http;

/// <summary>
/// The one way request bodies become JSON. Besides syntax, it refuses what <see cref="JsonNode.Parse(ReadOnlySpan{byte}, JsonNodeOptions?, JsonDocumentOptions)"/>
/// accepts but later code cannot read: a property named twice in one object (which <see cref="JsonObject"/> throws on
/// at first access, and which would otherwise let a sender smuggle a second value past a check that read the first)
/// and strings that are not valid text (invalid UTF-8 or a lone surrogate escape, which throw only when read). Both
/// would surface deep in mapping code as a 500; here they are a 400 that names the problem.
/// </summary>
public static partial class JsonText
{
    /// <summary>Parses <paramref name="json"/>; false with a reason that is safe to return to the sender.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, int maxDepth, out JsonNode? node, [NotNullWhen(false)] out string? error)
    {
        node = null;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException exception)
        {
            // System.Text.Json names the line and byte position, and for a duplicate the property name: echo it
            // only through Problems.Sanitize (short, printable).
            error = DuplicateProperty().Match(exception.Message) is { Success: true } duplicate
                ? $"the property '{Problems.Sanitize(duplicate.Groups[1].Value)}' appears twice in one object; send each field once"
                : exception.Message;
            return false;
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            // Checking for duplicates decodes strings, so invalid text throws here rather than later.
            error = FindInvalidString(json) ?? "the JSON text holds a string that is not valid UTF-8 text";
            return false;
        }
        if (FindInvalidString(json) is { } invalid)
        {
            node = null;
            error = invalid;
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>Null when every string in <paramref name="json"/> is valid text, else the reason.</summary>
    public static string? FindInvalidString(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    _ = reader.GetString();
                }
            }
        }
        catch (InvalidOperationException)
        {
            return $"the JSON text holds a string that is not valid UTF-8 text (near byte {reader.TokenStartIndex})";
        }
        catch (JsonException)
        {
            // Malformed JSON is reported by the caller's own parse, with its position.
        }
        return null;
    }

    // System.Text.Json's wording for AllowDuplicateProperties = false; the name is the sender's and is echoed sanitised.
    [GeneratedRegex("^Duplicate property '(.*)' encountered", RegexOptions.Singleline)]
    private static partial Regex DuplicateProperty();
}
