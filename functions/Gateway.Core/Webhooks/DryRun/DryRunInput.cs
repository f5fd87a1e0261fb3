using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.Trail;

namespace Libromi.Gateway.Webhooks.DryRun;

/// <summary>
/// What the author hands the dry run: a sample delivery and, optionally, a draft definition and a sample contact.
/// The same JSON serves <c>POST /api/integrations/{name}/test</c> and the sample file of
/// <c>gateway integrations test</c>:
/// <code>
/// { "sample": { "body": {...} | "body_text": "...", "content_type": "...", "headers": { "Name": "value" }, "url": "..." },
///   "definition": { ...one integration, as in the integrations file... },
///   "sample_phone": "+44 7700 900123" }
/// </code>
/// Instead of a <c>sample</c>, the route takes <c>"delivery_id": "..."</c>: a delivery kept in the delivery log, whose
/// logged body and media type are the sample (<see cref="DeliveryId"/>; no headers were kept). One of the two, never both.
/// Unknown fields are refused, as in the integrations file: a misspelt <c>sampel</c> must not test nothing.
/// </summary>
/// <param name="Body">The delivery's body bytes: <c>body</c> as compact JSON, or <c>body_text</c> exactly as written (for a form post or a signature over exact bytes).</param>
/// <param name="ContentType">The delivery's content type: as given, else <c>application/json</c> for <c>body</c> and none for <c>body_text</c>.</param>
/// <param name="Url">The URL the sender called (HubSpot signs it); null means the gateway's own hook URL.</param>
/// <param name="Definition">A draft of the integration, validated by the file's own validator; null tests the live one.</param>
/// <param name="SamplePhone">A contact whose attribute definitions the gateway reads from Libromi before checking values.</param>
public sealed record DryRunInput(
    ReadOnlyMemory<byte> Body,
    string? ContentType,
    WebhookHeaders Headers,
    Uri? Url,
    JsonObject? Definition,
    string? SamplePhone)
{
    private static readonly string[] RootFields = ["sample", "delivery_id", "definition", "sample_phone"];

    /// <summary>
    /// The delivery of the delivery log to test instead of a sample; the route reads its body and media type into
    /// <see cref="Body"/> and <see cref="ContentType"/> before the run. Null for a sample.
    /// </summary>
    public TrailKey? DeliveryId { get; init; }
    private static readonly string[] SampleFields = ["body", "body_text", "content_type", "headers", "url"];

    /// <summary>Reads the input; false with field errors keyed like <c>sample.headers</c>, each saying what is expected.</summary>
    public static bool TryRead(JsonNode? root, [NotNullWhen(true)] out DryRunInput? input, [NotNullWhen(false)] out Dictionary<string, string[]>? errors)
    {
        input = null;
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        errors = problems;
        if (root is not JsonObject rootObject)
        {
            problems["(body)"] = ["must be a JSON object with a \"sample\""];
            return false;
        }
        RefuseUnknown(rootObject, "", RootFields, problems);

        JsonObject? definition = null;
        if (rootObject.TryGetPropertyValue("definition", out var definitionNode))
        {
            definition = definitionNode as JsonObject;
            if (definition is null)
            {
                problems["definition"] = ["must be an object: one integration as written in the integrations file (verify, operations, ...)"];
            }
        }

        string? samplePhone = null;
        if (rootObject.TryGetPropertyValue("sample_phone", out var phoneNode))
        {
            samplePhone = NonEmptyString(phoneNode);
            if (samplePhone is null)
            {
                problems["sample_phone"] = ["must be a phone number with its country code, e.g. \"+44 7700 900123\""];
            }
        }

        var hasSample = rootObject.TryGetPropertyValue("sample", out var sampleNode);
        if (rootObject.TryGetPropertyValue("delivery_id", out var deliveryNode))
        {
            if (hasSample)
            {
                problems["delivery_id"] = ["give \"sample\" or \"delivery_id\", not both: the delivery's logged body is the sample"];
                return false;
            }
            if (!TrailKey.TryParse(NonEmptyString(deliveryNode), out var deliveryKey))
            {
                problems["delivery_id"] = ["must be a delivery id: the 32 hex digits of the hook answer's x-delivery-id header"];
                return false;
            }
            if (problems.Count > 0)
            {
                return false;
            }
            input = new DryRunInput(ReadOnlyMemory<byte>.Empty, null, new WebhookHeaders([]), null, definition, samplePhone) { DeliveryId = deliveryKey };
            errors = null;
            return true;
        }
        if (!hasSample || sampleNode is not JsonObject sample)
        {
            problems["sample"] = ["required (or \"delivery_id\"): an object with the delivery's \"body\" (or \"body_text\"), and optionally \"content_type\", \"headers\", \"url\""];
            if (!hasSample)
            {
                problems["delivery_id"] = ["give either \"sample\" or \"delivery_id\" (a delivery kept in the delivery log)"];
            }
            return false;
        }
        RefuseUnknown(sample, "sample.", SampleFields, problems);

        byte[]? body = null;
        string? contentType = null;
        var hasBody = sample.TryGetPropertyValue("body", out var bodyNode);
        var hasText = sample.TryGetPropertyValue("body_text", out var textNode);
        if (hasBody == hasText)
        {
            problems["sample.body"] = ["give exactly one of \"body\" (the JSON the sender posts) or \"body_text\" (its exact text, e.g. a form post)"];
        }
        else if (hasBody)
        {
            body = Encoding.UTF8.GetBytes(bodyNode?.ToJsonString() ?? "null");
            contentType = "application/json";
        }
        else if (textNode is JsonValue text && text.GetValueKind() == JsonValueKind.String)
        {
            body = Encoding.UTF8.GetBytes(text.GetValue<string>());
        }
        else
        {
            problems["sample.body_text"] = ["must be a string: the body exactly as the sender posts it"];
        }

        if (sample.TryGetPropertyValue("content_type", out var typeNode))
        {
            contentType = NonEmptyString(typeNode);
            if (contentType is null)
            {
                problems["sample.content_type"] = ["must be a media type such as \"application/json\" or \"application/x-www-form-urlencoded\""];
            }
        }

        var headers = new List<KeyValuePair<string, string>>();
        if (sample.TryGetPropertyValue("headers", out var headersNode))
        {
            if (headersNode is not JsonObject headerObject
                || headerObject.Any(h => h.Value is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
            {
                problems["sample.headers"] = ["must be an object of header name to string value"];
            }
            else
            {
                headers.AddRange(headerObject.Select(h => KeyValuePair.Create(h.Key, h.Value!.GetValue<string>())));
            }
        }

        Uri? url = null;
        if (sample.TryGetPropertyValue("url", out var urlNode))
        {
            if (NonEmptyString(urlNode) is not { } urlText
                || !Uri.TryCreate(urlText, UriKind.Absolute, out url)
                || url.Scheme is not ("http" or "https"))
            {
                problems["sample.url"] = ["must be the absolute http(s) URL the sender called, e.g. \"https://gateway.example.com/api/hooks/hubspot\""];
                url = null;
            }
        }

        if (problems.Count > 0 || body is null)
        {
            return false;
        }
        input = new DryRunInput(body, contentType, new WebhookHeaders(headers), url, definition, samplePhone);
        errors = null;
        return true;
    }

    /// <summary>The sample as the hook route would have received it at <paramref name="hookUrl"/> (or at <see cref="Url"/>).</summary>
    public WebhookRequest ToWebhookRequest(Uri hookUrl) => WebhookRequest.Post(Url ?? hookUrl, Headers, Body, ContentType);

    private static string? NonEmptyString(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text && !string.IsNullOrWhiteSpace(text)
            ? text
            : null;

    private static void RefuseUnknown(JsonObject obj, string prefix, string[] known, Dictionary<string, string[]> problems)
    {
        foreach (var (name, _) in obj)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                // Printable and short: the name is the caller's input.
                problems[prefix + Http.Problems.Sanitize(name)] = [$"unknown field; expected one of: {string.Join(", ", known)}"];
            }
        }
    }
}
