using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace Libromi.Gateway.Integrations;

/// <summary>
/// Turns a delivery's raw body into JSON: JSON as is, and <c>application/x-www-form-urlencoded</c> as a flat object
/// (field names as keys, repeated fields as arrays of strings), which is how Zapier's and Make's webhook actions post
/// forms. Nested form names (<c>contact[phone]</c>) stay literal keys. A body without a content type is tried as JSON,
/// since several senders omit it.
/// </summary>
public static class WebhookBody
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryRead(WebhookRequest request, out JsonNode? body, out MappingResult.MalformedBody? problem)
    {
        body = null;
        problem = null;
        var mediaType = MediaType(request.ContentType);

        if (mediaType is null || IsJson(mediaType))
        {
            if (request.Body.IsEmpty)
            {
                problem = new(MalformedBodyReason.Unreadable, "the body is empty; a JSON object or array is expected");
                return false;
            }
            try
            {
                body = JsonNode.Parse(request.Body.Span);
                if (Http.JsonText.FindInvalidString(request.Body.Span) is { } invalid)
                {
                    body = null;
                    problem = new(MalformedBodyReason.Unreadable, invalid);
                    return false;
                }
                return true;
            }
            catch (JsonException ex)
            {
                // JsonException's message names the line and byte position, not the content: safe to return.
                problem = new(MalformedBodyReason.Unreadable, $"the body is not valid JSON: {ex.Message}");
                return false;
            }
        }

        if (mediaType == "application/x-www-form-urlencoded")
        {
            string text;
            try
            {
                text = StrictUtf8.GetString(request.Body.Span);
            }
            catch (DecoderFallbackException)
            {
                problem = new(MalformedBodyReason.Unreadable, "the form body is not UTF-8");
                return false;
            }
            var form = new JsonObject();
            foreach (var (name, values) in QueryHelpers.ParseQuery(text))
            {
                form[name] = values.Count == 1
                    ? JsonValue.Create(values[0])
                    : new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
            }
            body = form;
            return true;
        }

        problem = new(MalformedBodyReason.UnsupportedContentType,
            $"content type \"{mediaType}\" is not supported; send application/json or application/x-www-form-urlencoded");
        return false;
    }

    private static string? MediaType(string? contentType) =>
        string.IsNullOrWhiteSpace(contentType)
            ? null
            : MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType is { } media
                ? media.ToLowerInvariant()
                : contentType.Trim().ToLowerInvariant();

    private static bool IsJson(string mediaType) =>
        mediaType is "application/json" or "text/json" || mediaType.EndsWith("+json", StringComparison.Ordinal);
}
