using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;

namespace Libromi.Gateway.EndToEnd.Operations;

/// <summary>An HTTP client for the gateway's admin routes, sending the admin key (or another key, to prove it fails).</summary>
internal static class AdminClient
{
    public static HttpClient For(GatewayHost gateway, string? key = GatewayHost.AdminKey)
    {
        var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("x-functions-key", key);
        }
        return client;
    }

    public static async Task<JsonArray> ListAsync(this HttpClient admin, string query = "")
    {
        var page = await admin.GetFromJsonAsync<JsonObject>("/api/dead-letters" + query);
        return page!["items"]!.AsArray();
    }
}
