using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// Turns a delivery's raw body into JSON: JSON as is, and <c>application/x-www-form-urlencoded</c> as a flat object
/// (field names as keys, repeated fields as arrays of strings), which is how Zapier's and Make's webhook actions post
/// forms. Nested form names (<c>contact[phone]</c>) stay literal keys. A body without a content type is tried as JSON,
/// since several senders omit it.
/// </summary>
public static class WebhookBody
{
    // System.Text.Json's own default: deeper than any sender's payload, shallow enough to bound the parser's work.
    private const int MaxDepth = 64;

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
            if (!Http.JsonText.TryParse(request.Body.Span, MaxDepth, out body, out var invalid))
            {
                problem = new(MalformedBodyReason.Unreadable, $"the body is not valid JSON: {invalid}");
                return false;
            }
            return true;
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
            "the content type is not supported; send application/json or application/x-www-form-urlencoded");
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
