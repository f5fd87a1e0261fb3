using Microsoft.Net.Http.Headers;

namespace Libromi.Simulator.Access;

/// <summary>Reads the token from <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
public static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <summary>The token, or null when the header is absent or uses another scheme.</summary>
    public static string? From(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers[HeaderNames.Authorization].ToString();
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[Scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }
}
