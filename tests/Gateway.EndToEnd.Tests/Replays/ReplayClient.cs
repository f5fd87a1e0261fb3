using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;

namespace Libromi.Gateway.EndToEnd.Replays;

/// <summary>Starts and follows replay jobs over HTTP with the admin key, as an operator would with curl.</summary>
internal static class ReplayClient
{
    public static async Task<HttpResponseMessage> PostReplayAsync(this HttpClient admin, string json) =>
        await admin.PostAsync("/api/replays", new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Starts a job; returns its Location.</summary>
    public static async Task<string> StartReplayAsync(this HttpClient admin, string json)
    {
        var response = await admin.PostReplayAsync(json);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/replays answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var location = response.Headers.Location?.OriginalString;
        Assert.NotNull(location);
        Assert.Matches("^/api/replays/[0-9a-f]{32}$", location);
        return location;
    }

    /// <summary>The job once it has finished (completed or failed).</summary>
    public static Task<JsonObject> WaitForFinishAsync(this HttpClient admin, string location, TimeSpan? timeout = null) =>
        Eventually.WaitForAsync(
            async () => (await admin.GetFromJsonAsync<JsonObject>(location))!,
            job => job["state"]!.GetValue<string>() is "completed" or "failed",
            $"replay job {location} to finish", timeout ?? TimeSpan.FromSeconds(60), job => job.ToJsonString());
}
