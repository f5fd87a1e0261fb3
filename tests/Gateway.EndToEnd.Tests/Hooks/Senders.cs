using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Libromi.Gateway.EndToEnd.Hooks;

/// <summary>
/// Signs deliveries the way each sender documents it, written here from the senders' specifications rather than with
/// the gateway's own helpers, so a verifier bug cannot cancel out in the tests.
/// </summary>
internal static class Senders
{
    /// <summary>Standard Webhooks: base64 HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c> keyed by the base64 part of <c>whsec_...</c>.</summary>
    public static (string Name, string Value)[] StandardWebhooks(string secret, string id, DateTimeOffset sentAt, string body)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var timestamp = sentAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        return [("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", $"v1,{signature}")];
    }

    /// <summary>GitHub: <c>X-Hub-Signature-256: sha256=&lt;hex&gt;</c> of the body.</summary>
    public static string GitHubSignature(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>Shopify: <c>X-Shopify-Hmac-Sha256: &lt;base64&gt;</c> of the body.</summary>
    public static string ShopifySignature(string secret, string body) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>HubSpot v3: base64 HMAC-SHA256 of <c>POST + uri + body + timestamp(ms)</c> keyed by the app's client secret.</summary>
    public static (string Name, string Value)[] HubSpot(string clientSecret, Uri uri, DateTimeOffset sentAt, string body)
    {
        var timestamp = sentAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(clientSecret), Encoding.UTF8.GetBytes($"POST{uri.AbsoluteUri}{body}{timestamp}")));
        return [("X-HubSpot-Signature-v3", signature), ("X-HubSpot-Request-Timestamp", timestamp)];
    }

    public static (string Name, string Value) Basic(string username, string password) =>
        ("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    /// <summary>Posts like a third-party tool: no function key, exact body bytes.</summary>
    public static async Task<HttpResponseMessage> PostAsync(Uri baseAddress, string integration, string body, string? contentType, params (string Name, string Value)[] headers)
    {
        using var client = new HttpClient { BaseAddress = baseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/hooks/{integration}") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await client.SendAsync(request);
    }
}
