using System.Net.Http.Headers;
using Libromi.Gateway.DeadLetters;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Standalone;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Libromi.Gateway.Processing;

namespace Libromi.Gateway.EndToEnd.Fixtures;

/// <summary>
/// The standalone host, in-process on a free loopback port, wired to a test's Azurite and simulator, with
/// every log record captured (at Trace level, so redaction is exercised where it matters).
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    public const string ApiKey = "test-api-key-7f3a";
    public const string AdminKey = "test-admin-key-91c2";

    private GatewayHost(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
        Client.DefaultRequestHeaders.Add("x-functions-key", ApiKey);
        Logs = app.Services.GetRequiredService<FakeLogCollector>();
        Queues = app.Services.GetRequiredService<OperationQueues>();
        DeadLetters = app.Services.GetRequiredService<DeadLetterStore>();
    }

    public WebApplication App { get; }
    public Uri BaseAddress { get; }

    /// <summary>A client that sends the API key.</summary>
    public HttpClient Client { get; }

    public FakeLogCollector Logs { get; }
    public OperationQueues Queues { get; }
    public DeadLetterStore DeadLetters { get; }

    /// <summary>
    /// What any gateway under test needs, standalone host or Functions worker: the class's Azurite and simulator, a
    /// generous plan, and fast retries, so tests take seconds.
    /// </summary>
    public static Dictionary<string, string?> SharedSettings(AzuriteFixture azurite, SimulatorFixture simulator) => new()
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["Libromi:BaseUrl"] = simulator.BaseUrl,
        ["Libromi:ApiToken"] = SimulatorFixture.AdminToken,
        ["Libromi:RequestsPerMinute"] = "100",
        ["Libromi:RequestsPerHour"] = "10000",
        ["Libromi:AttemptTimeout"] = "00:00:02",
        ["Libromi:TotalTimeout"] = "00:00:05",
        ["Processing:BackoffBase"] = "00:00:00.100",
        ["Processing:BackoffMax"] = "00:00:01",
        ["Processing:MaxRequeueDelay"] = "00:00:00.300",
    };

    /// <summary>Settings every standalone test host starts from: the shared ones, its keys, fast pauses and polling, and Trace logs.</summary>
    public static Dictionary<string, string?> DefaultSettings(AzuriteFixture azurite, SimulatorFixture simulator)
    {
        var settings = SharedSettings(azurite, simulator);
        settings["Gateway:ApiKey"] = ApiKey;
        settings["Gateway:AdminKey"] = AdminKey;
        settings["Processing:RateLimitedFallbackPause"] = "00:00:01";
        settings["Processing:AuthProbeInterval"] = "00:00:00.300";
        settings["Queues:MaxPollingInterval"] = "00:00:00.200";
        settings["Queues:VisibilityTimeout"] = "00:00:00";
        // Work a test stores straight into a queue has no wake message: the backstop finds it within a second.
        settings["Drain:Backstop"] = "00:00:01";
        settings["Logging:LogLevel:Default"] = "Trace";
        // appsettings.json quiets these; the tests want them, to prove the token never reaches a log.
        settings["Logging:LogLevel:System.Net.Http.HttpClient"] = "Trace";
        settings["Logging:LogLevel:Azure.Core"] = "Trace";
        return settings;
    }

    public static async Task<GatewayHost> StartAsync(
        AzuriteFixture azurite,
        SimulatorFixture simulator,
        IReadOnlyDictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var settings = DefaultSettings(azurite, simulator);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var args = settings.Where(s => s.Value is not null).Select(s => $"--{s.Key}={s.Value}").Append("--urls=http://127.0.0.1:0").ToArray();

        var app = StandaloneApp.Build(args, services =>
        {
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
            configureServices?.Invoke(services);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayHost(app, new Uri(address));
    }

    /// <summary>
    /// For <see cref="StartAsync"/>'s <c>configureServices</c>: a host that accepts and queues but never drains, as if
    /// no worker were sending, so what it queued stays where a test can see it.
    /// </summary>
    public static void WithoutDrain(IServiceCollection services) =>
        services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(DrainService)));

    /// <summary>Posts JSON to a route with the API key.</summary>
    public Task<HttpResponseMessage> PostJsonAsync(string path, string json)
    {
        var content = new StringContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return Client.PostAsync(path, content);
    }

    /// <summary>Every dead-letter record's JSON (newest first, left in place), with the fields the processor writes.</summary>
    public async Task<IReadOnlyList<string>> PeekDeadLettersAsync()
    {
        var (entries, _) = await DeadLetters.ListAsync(new DeadLetterFilter(), DeadLettersApi.MaxPageSize, cursor: null);
        return [.. entries.Select(e => System.Text.Json.JsonSerializer.Serialize(e.Record, GatewayJsonContext.Default.DeadLetterRecord))];
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
