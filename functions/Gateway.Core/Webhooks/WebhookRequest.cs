namespace Libromi.Gateway.Webhooks;

/// <summary>
/// What verification and mapping need from an inbound webhook, independent of the host. The HTTP adapter fills it from
/// the request as received: the raw body bytes (signatures cover bytes, not parsed JSON), the path and query exactly as
/// sent (<paramref name="QueryString"/> with its leading <c>?</c>, or empty), and <paramref name="RequestUri"/> as the
/// gateway saw it (scheme and host included).
/// </summary>
public sealed record WebhookRequest(
    string Method,
    string Path,
    string QueryString,
    WebhookHeaders Headers,
    ReadOnlyMemory<byte> Body,
    string? ContentType,
    Uri RequestUri)
{
    /// <summary>A POST to <paramref name="requestUri"/>; the test and adapter shortcut.</summary>
    public static WebhookRequest Post(Uri requestUri, WebhookHeaders headers, ReadOnlyMemory<byte> body, string? contentType) =>
        new("POST", requestUri.AbsolutePath, requestUri.Query, headers, body, contentType, requestUri);
}

/// <summary>Request headers, case-insensitive by name. Repeated headers are joined with ", " as HTTP allows.</summary>
public sealed class WebhookHeaders
{
    private readonly Dictionary<string, string> _values;

    public WebhookHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        _values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            _values[name] = _values.TryGetValue(name, out var existing) ? existing + ", " + value : value;
        }
    }

    public static WebhookHeaders Empty { get; } = new([]);

    /// <summary>The header's value, or null when it is absent or blank.</summary>
    public string? this[string name] => _values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    public static WebhookHeaders From(params (string Name, string Value)[] headers) =>
        new(headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)));
}
