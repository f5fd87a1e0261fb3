using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Libromi.Gateway.Benchmarks.Harness;

namespace Libromi.Gateway.Benchmarks.Fleet;

/// <summary><c>POST /api/scenario-triggers</c> with the API key; acknowledged means 202. Operation <c>i</c> carries field <c>n = i</c>.</summary>
internal sealed class ScenarioTriggerSender : IDisposable
{
    /// <summary>The field that names the operation in the body the scenario URL receives.</summary>
    public const string OperationField = "n";

    private readonly HttpClient _http;
    private readonly string _scenario;

    public ScenarioTriggerSender(Uri baseAddress, string scenario)
    {
        _scenario = scenario;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = baseAddress };
        _http.DefaultRequestHeaders.Add("x-functions-key", GatewayInstance.ApiKey);
    }

    public async Task<bool> SendAsync(int i)
    {
        var body = $$$"""{"scenario": "{{{_scenario}}}", "phone_number": "+44771{{{i % 10_000_000:0000000}}}", "fields": {"{{{OperationField}}}": {{{i}}}}}""";
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync("api/scenario-triggers", content);
        await response.Content.LoadIntoBufferAsync();
        return response.StatusCode == HttpStatusCode.Accepted;
    }

    public void Dispose() => _http.Dispose();
}
