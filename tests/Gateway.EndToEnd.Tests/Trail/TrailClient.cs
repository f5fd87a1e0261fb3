using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;

namespace Libromi.Gateway.EndToEnd.Trail;

/// <summary>Reads the trail over HTTP with the API key, as a user following an operation would.</summary>
internal static class TrailClient
{
    public static async Task<string> PostContactAsync(this GatewayHost gateway, string json)
    {
        var response = await gateway.PostJsonAsync("/api/contacts", json);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["operation_id"]!.GetValue<string>();
    }

    public static async Task<JsonObject?> GetOperationAsync(this GatewayHost gateway, string operationId)
    {
        var response = await gateway.Client.GetAsync($"/api/operations/{operationId}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonObject>() : null;
    }

    /// <summary>The operation once its trail shows <paramref name="state"/>.</summary>
    public static Task<JsonObject?> WaitForStateAsync(this GatewayHost gateway, string operationId, string state, TimeSpan? timeout = null) =>
        Eventually.WaitForAsync(() => gateway.GetOperationAsync(operationId), o => o?["state"]?.GetValue<string>() == state,
            $"operation {operationId} to be {state}", timeout);

    public static async Task<JsonObject> SearchAsync(this GatewayHost gateway, string path)
    {
        var response = await gateway.Client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public static IReadOnlyList<string> Ids(this JsonObject page, string field = "operation_id") =>
        [.. page["items"]!.AsArray().Select(item => item![field]!.GetValue<string>())];

    public static IReadOnlyList<JsonNode> Calls(this JsonObject operation) => [.. operation["calls"]?.AsArray().Select(c => c!) ?? []];
}
