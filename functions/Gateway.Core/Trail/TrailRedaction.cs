using System.Text.RegularExpressions;

namespace Libromi.Gateway.Trail;

/// <summary>
/// What of Libromi's answer the trail keeps: at most the configured length, and never a credential. The client keeps
/// answers without the token already; this is the second lock, for an answer that echoes a request header or carries a
/// credential-looking field.
/// </summary>
public static partial class TrailRedaction
{
    public const string Redacted = "[redacted]";

    public static string? Answer(string? answer, int maxChars, string? token)
    {
        if (string.IsNullOrEmpty(answer))
        {
            return answer;
        }
        var text = answer;
        if (!string.IsNullOrEmpty(token))
        {
            text = text.Replace(token, Redacted, StringComparison.Ordinal);
        }
        text = BearerPattern().Replace(text, "Bearer " + Redacted);
        text = CredentialFieldPattern().Replace(text, match => $"{match.Groups["name"].Value}\"{Redacted}\"");
        return text.Length <= maxChars ? text : string.Concat(text.AsSpan(0, maxChars), "…");
    }

    [GeneratedRegex(@"Bearer\s+[^\s""',;]+", RegexOptions.IgnoreCase)]
    private static partial Regex BearerPattern();

    [GeneratedRegex(@"(?<name>""(?:[a-z_]*token|authorization|api_?key|secret|password)""\s*:\s*)""[^""]*""", RegexOptions.IgnoreCase)]
    private static partial Regex CredentialFieldPattern();
}
