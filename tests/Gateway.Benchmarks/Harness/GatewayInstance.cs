using Libromi.Gateway.Queueing;
using Libromi.Gateway.Standalone;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.Benchmarks.Harness;

/// <summary>
/// One standalone gateway host in-process on a free loopback port, built exactly as production builds it
/// (<see cref="StandaloneApp.Build"/>), with production defaults except the settings named here.
/// </summary>
internal sealed class GatewayInstance : IAsyncDisposable
{
    public const string ApiKey = "bench-api-key-5d1e";

    private readonly WebApplication _app;

    private GatewayInstance(WebApplication app, Uri baseAddress, StorageRequestCounter storageRequests)
    {
        _app = app;
        BaseAddress = baseAddress;
        StorageRequests = storageRequests;
        Queues = app.Services.GetRequiredService<OperationQueues>();
    }

    public Uri BaseAddress { get; }

    /// <summary>Requests this host's storage clients sent to Azurite.</summary>
    public StorageRequestCounter StorageRequests { get; }

    public OperationQueues Queues { get; }

    /// <param name="extraSettings">Settings added to (or replacing) the ones above, for example a scenario's definition and limits.</param>
    /// <param name="pauseSending">
    /// Starts with sending paused for a day (<see cref="SendingState.PauseUntil"/>), so the queue listener leaves the
    /// backlog alone and draining does not compete with an ingest measurement.
    /// </param>
    public static async Task<GatewayInstance> StartAsync(
        AzuriteProcess azurite, SimulatorHost simulator, int requestsPerMinute, int requestsPerHour, bool pauseSending, bool trail = true,
        IReadOnlyDictionary<string, string>? extraSettings = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Libromi:BaseUrl"] = simulator.BaseUrl,
            ["Libromi:ApiToken"] = SimulatorHost.Token,
            ["Libromi:RequestsPerMinute"] = requestsPerMinute.ToString(),
            ["Libromi:RequestsPerHour"] = requestsPerHour.ToString(),
            ["Gateway:ApiKey"] = ApiKey,
            ["Gateway:AdminKey"] = "bench-admin-key-0b7c",
            // Information would write one console line per accepted operation: that measures the terminal, not the gateway.
            ["Logging:LogLevel:Default"] = "Warning",
            ["Trail:Enabled"] = trail ? "true" : "false",
        };
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        var counter = new StorageRequestCounter();
        var args = settings.Select(s => $"--{s.Key}={s.Value}").Append("--urls=http://127.0.0.1:0").ToArray();
        var app = StandaloneApp.Build(args, services =>
            services.AddAzureClients(clients => clients.ConfigureDefaults(options => options.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerRetry))));
        if (pauseSending)
        {
            app.Services.GetRequiredService<SendingState>().PauseUntil(DateTimeOffset.UtcNow.AddDays(1));
        }
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayInstance(app, new Uri(address), counter);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
