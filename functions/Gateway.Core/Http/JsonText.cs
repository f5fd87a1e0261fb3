using System.Text.Json;

namespace Libromi.Gateway.Http;

/// <summary>
/// System.Text.Json parses a document without transcoding its strings; a string holding invalid UTF-8 or a lone
/// surrogate escape (<c>"\ud800"</c>) throws only when it is read, deep inside mapping code, and would surface as a
/// 500. Checking every string and property name once, up front, turns such a body into a 400 like any other
/// malformed JSON.
/// </summary>
public static class JsonText
{
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
}
