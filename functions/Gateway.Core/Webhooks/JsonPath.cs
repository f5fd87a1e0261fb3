using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// A dotted path into a JSON item: property names and numeric array indexes (<c>data.phones.0.value</c>).
/// A numeric segment on an object is a property name, so objects keyed by numbers still work. Property names that
/// contain a dot cannot be addressed; no source we map needs that, and it keeps the syntax one rule.
/// </summary>
public sealed class JsonPath : IEquatable<JsonPath>
{
    private readonly string[] _segments;

    private JsonPath(string text, string[] segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    public static bool TryParse(string? text, [NotNullWhen(true)] out JsonPath? path, [NotNullWhen(false)] out string? error)
    {
        path = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a path must not be empty";
            return false;
        }
        if (text.Contains('[', StringComparison.Ordinal) || text.Contains(']', StringComparison.Ordinal))
        {
            error = $"'{text}' uses brackets; write array indexes as segments, e.g. data.phones.0";
            return false;
        }
        if (text.Any(char.IsWhiteSpace))
        {
            error = $"'{text}' contains white space";
            return false;
        }

        var segments = text.Split('.');
        if (segments.Any(s => s.Length == 0))
        {
            error = $"'{text}' has an empty segment (leading, trailing or doubled '.')";
            return false;
        }

        path = new JsonPath(text, segments);
        error = null;
        return true;
    }

    /// <summary>The node at this path, or false when a segment is missing. A JSON null that is present resolves to null.</summary>
    public bool TryResolve(JsonNode? root, out JsonNode? value)
    {
        var current = root;
        foreach (var segment in _segments)
        {
            switch (current)
            {
                case JsonObject obj when obj.TryGetPropertyValue(segment, out var child):
                    current = child;
                    break;
                case JsonArray array when TryIndex(segment, array.Count, out var index):
                    current = array[index];
                    break;
                default:
                    value = null;
                    return false;
            }
        }

        value = current;
        return true;
    }

    private static bool TryIndex(string segment, int count, out int index)
    {
        if (segment.All(char.IsAsciiDigit)
            && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && index < count)
        {
            return true;
        }
        index = -1;
        return false;
    }

    public override string ToString() => Text;

    public bool Equals(JsonPath? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as JsonPath);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);
}
