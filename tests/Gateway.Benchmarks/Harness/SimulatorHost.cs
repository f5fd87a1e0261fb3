using System.Net.Http.Json;
using Libromi.Simulator;
using Libromi.Simulator.Inspection;
using Libromi.Simulator.Scenarios;
using Microsoft.AspNetCore.Builder;

namespace Libromi.Gateway.Benchmarks.Harness;

/// <summary>The Libromi simulator in-process on a free loopback port; its request log is read over HTTP.</summary>
internal sealed class SimulatorHost : IAsyncDisposable
{
    public const string Token = "bench-admin-token";

    private readonly WebApplication _app;
    private readonly HttpClient _inspection;

    private SimulatorHost(WebApplication app, Uri root)
    {
        _app = app;
        _inspection = new HttpClient { BaseAddress = root };
        BaseUrl = new Uri(root, SimulatorApp.ApiPathBase).ToString().TrimEnd('/');
    }

    /// <summary>Libromi's base URL as <c>Libromi__BaseUrl</c> takes it.</summary>
    public string BaseUrl { get; }

    /// <param name="requestsPerMinute">The simulated account's limit: a gateway that exceeds it gets 429s, which the drain counts.</param>
    public static async Task<SimulatorHost> StartAsync(int requestsPerMinute, int requestsPerHour)
    {
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            $"--Simulator:AdminTokens:0={Token}",
            "--Simulator:Staff:0=agent@company.test",
            $"--Simulator:RequestsPerMinute={requestsPerMinute}",
            $"--Simulator:RequestsPerHour={requestsPerHour}",
            "--Logging:LogLevel:Default=Warning",
        ];
        var app = SimulatorApp.Build(args);
        await app.StartAsync();
        return new SimulatorHost(app, new Uri(app.Urls.Single()));
    }

    /// <summary>Every request Libromi received, with its answer and arrival time (<c>GET /_simulator/requests</c>).</summary>
    public async Task<IReadOnlyList<RecordedRequest>> GetRequestsAsync() =>
        await _inspection.GetFromJsonAsync<List<RecordedRequest>>("_simulator/requests", SimulatorJson.Options)
        ?? throw new InvalidOperationException("The simulator answered an empty request log.");

    /// <summary>Every contact Libromi holds, with its attributes (<c>GET /_simulator/contacts</c>).</summary>
    public async Task<IReadOnlyList<ContactState>> GetContactsAsync() =>
        await _inspection.GetFromJsonAsync<List<ContactState>>("_simulator/contacts", SimulatorJson.Options)
        ?? throw new InvalidOperationException("The simulator answered an empty contact list.");

    /// <summary>The absolute URL of the simulated webhook scenario <paramref name="id"/> (<c>POST /scenarios/{id}</c>).</summary>
    public string ScenarioUrl(string id) => new Uri(_inspection.BaseAddress!, "scenarios/" + id).AbsoluteUri;

    /// <summary>Every body the scenario URL received, with its arrival time and answer (<c>GET /_simulator/scenarios/{id}</c>).</summary>
    public async Task<ScenarioState> GetScenarioAsync(string id) =>
        await _inspection.GetFromJsonAsync<ScenarioState>("_simulator/scenarios/" + id, SimulatorJson.Options)
        ?? throw new InvalidOperationException("The simulator answered an empty scenario state.");

    /// <summary>Request log, contacts and rate windows back to the start, so one drain does not see the previous one.</summary>
    public async Task ResetAsync()
    {
        using var response = await _inspection.PostAsync("_simulator/reset", null);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _inspection.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
