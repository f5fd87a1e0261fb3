using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;

namespace Libromi.Gateway.EndToEnd.Imports;

/// <summary>Uploads files and reads progress the way an integrator (or the CLI) does.</summary>
internal static class ImportClient
{
    public static Task<HttpResponseMessage> PostFileAsync(this GatewayHost gateway, string content, string contentType = "text/csv", string query = "", bool byteOrderMark = false)
    {
        byte[] bytes = byteOrderMark ? [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(content)] : Encoding.UTF8.GetBytes(content);
        var body = new ByteArrayContent(bytes);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return gateway.Client.PostAsync("/api/imports" + query, body);
    }

    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("Empty body.");

    public static async Task<JsonNode> GetProgressAsync(this GatewayHost gateway, string location)
    {
        using var response = await gateway.Client.GetAsync(location);
        response.EnsureSuccessStatusCode();
        return await response.ReadJsonAsync();
    }

    public static Task<JsonNode> WaitForProgressAsync(this GatewayHost gateway, string location, Func<JsonNode, bool> done, string what, int seconds = 60) =>
        Eventually.WaitForAsync(() => gateway.GetProgressAsync(location), done, what, TimeSpan.FromSeconds(seconds));

    public static bool IsFinished(JsonNode progress) =>
        progress["status"]!.GetValue<string>() is "completed" or "completed_with_failures";

    public static async Task<int> BulkDepthAsync(this GatewayHost gateway)
    {
        var properties = await gateway.Queues.Bulk.GetPropertiesAsync();
        var realtime = await gateway.Queues.Realtime.GetPropertiesAsync();
        return properties.Value.ApproximateMessagesCount + realtime.Value.ApproximateMessagesCount;
    }
}
