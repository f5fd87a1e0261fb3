using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Libromi.Gateway.Libromi;

/// <summary>Turns an HTTP answer from Libromi into a <see cref="LibromiOutcome"/>. Pure, so it is tested on its own.</summary>
public static class LibromiResponseClassifier
{
    // Enough of Libromi's answer to understand a dead letter; whole HTML error pages are noise.
    internal const int MaxBodyChars = 2_000;

    public static LibromiOutcome Classify(HttpStatusCode status, HttpResponseHeaders headers, string? body, DateTimeOffset now)
    {
        var code = (int)status;
        var truncated = Truncate(body);
        LibromiOutcome outcome = code switch
        {
            >= 200 and < 300 => new LibromiOutcome.Delivered(),
            429 => new LibromiOutcome.RateLimited(RetryAfterFromHeader(headers, now) ?? RetryAfterFromBody(body)),
            401 => new LibromiOutcome.AuthFault("Libromi answered 401: the API token is missing, invalid or revoked."),
            403 => new LibromiOutcome.AuthFault("Libromi answered 403: the API token lacks permission (a Read Only token cannot write)."),
            408 or >= 500 => new LibromiOutcome.Transient($"Libromi answered {code}."),
            _ => Rejected(code, body),
        };
        return outcome with { StatusCode = code, ResponseBody = truncated };
    }

    private static LibromiOutcome.Rejected Rejected(int code, string? body)
    {
        var (message, errors) = ReadErrorBody(body);
        var reason = message is null ? $"Libromi answered {code}." : $"Libromi answered {code}: {message}";
        return new LibromiOutcome.Rejected(reason, errors);
    }

    internal static TimeSpan? RetryAfterFromHeader(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var retryAfter = headers.RetryAfter;
        if (retryAfter?.Delta is { } delta && delta >= TimeSpan.Zero)
        {
            return delta;
        }
        if (retryAfter?.Date is { } date)
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    internal static TimeSpan? RetryAfterFromBody(string? body)
    {
        if (!TryParseObject(body, out var root) || !root.TryGetProperty("retry_after_seconds", out var value))
        {
            return null;
        }
        double seconds;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out seconds)) { }
        else if (value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds)) { }
        else
        {
            return null;
        }
        return seconds is >= 0 and <= 86_400 * 7 ? TimeSpan.FromSeconds(seconds) : null;
    }

    // Libromi's error bodies are JSON on documented paths, but gateway errors may be HTML: never assume JSON.
    private static (string? Message, IReadOnlyDictionary<string, string[]>? Errors) ReadErrorBody(string? body)
    {
        if (!TryParseObject(body, out var root))
        {
            return (null, null);
        }
        string? message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        Dictionary<string, string[]>? errors = null;
        if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
        {
            errors = [];
            foreach (var field in e.EnumerateObject())
            {
                errors[field.Name] = field.Value.ValueKind switch
                {
                    JsonValueKind.Array => [.. field.Value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText())],
                    JsonValueKind.String => [field.Value.GetString()!],
                    _ => [field.Value.GetRawText()],
                };
            }
        }
        return (message, errors);
    }

    private static bool TryParseObject(string? body, out JsonElement root)
    {
        root = default;
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{')
        {
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
            return root.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    internal static string? Truncate(string? body) =>
        body is null || body.Length <= MaxBodyChars ? body : string.Concat(body.AsSpan(0, MaxBodyChars), "…");
}
