using System.Net.Http.Headers;
using Libromi.Simulator;
using Microsoft.AspNetCore.Builder;

namespace Libromi.Gateway.EndToEnd.Fixtures;

/// <summary>
/// Runs the Libromi simulator in-process on a free loopback port for the lifetime of a test or test class.
/// </summary>
/// <remarks>
/// Two ways to use it:
/// <list type="bullet">
/// <item><c>await using var simulator = await SimulatorFixture.StartAsync(settings)</c> for a test that needs
/// its own settings (rate limits, faults from start, fake clock).</item>
/// <item><c>IClassFixture&lt;SimulatorFixture&gt;</c> for a class that is happy with <see cref="DefaultSettings"/>;
/// call <see cref="SimulatorInspector.ResetAsync"/> at the start of each test so tests do not see each other's leftovers.</item>
/// </list>
/// Settings are configuration keys of the simulator, written either way (<c>Simulator__RequestsPerMinute</c>
/// or <c>Simulator:RequestsPerMinute</c>). They are merged over <see cref="DefaultSettings"/>; a null value
/// removes a default (for example <c>["Simulator__ReadOnlyTokens__0"] = null</c>).
/// </remarks>
public sealed class SimulatorFixture : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>Admin (full access) token configured by default.</summary>
    public const string AdminToken = "admin-token-for-tests";

    /// <summary>Read-only token configured by default.</summary>
    public const string ReadOnlyToken = "read-only-token-for-tests";

    /// <summary>Staff member (username) configured by default.</summary>
    public const string StaffEmail = "agent@company.test";

    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _timeProvider;
    private WebApplication? _app;
    private HttpClient? _inspectionClient;
    private HttpClient? _client;
    private SimulatorInspector? _inspector;
    private string? _baseUrl;

    /// <summary>For <c>IClassFixture</c>: the simulator with <see cref="DefaultSettings"/>, started by xUnit.</summary>
    public SimulatorFixture()
        : this(null, null)
    {
    }

    private SimulatorFixture(IReadOnlyDictionary<string, string?>? settings, TimeProvider? timeProvider)
    {
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in DefaultSettings.Concat(settings ?? new Dictionary<string, string?>()))
        {
            _settings[ToConfigurationKey(key)] = value;
        }

        _timeProvider = timeProvider;
    }

    /// <summary>
    /// Settings every fixture starts from: one admin token, one read-only token, one staff member,
    /// Libromi's default limits (60/minute, 1,000/hour), every contact with a conversation, no faults,
    /// and only warnings logged.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> DefaultSettings { get; } = new Dictionary<string, string?>
    {
        ["Simulator:AdminTokens:0"] = AdminToken,
        ["Simulator:ReadOnlyTokens:0"] = ReadOnlyToken,
        ["Simulator:Staff:0"] = StaffEmail,
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary>Libromi's base URL as the gateway's <c>Libromi__BaseUrl</c> takes it: <c>http://127.0.0.1:PORT/api/v1</c> (no trailing slash).</summary>
    public string BaseUrl => _baseUrl ?? throw NotStarted();

    /// <summary>
    /// A client authenticated with <see cref="AdminToken"/>, base address <see cref="BaseUrl"/> with a
    /// trailing slash, so relative paths such as <c>contact/1234567890</c> work.
    /// </summary>
    public HttpClient Client => _client ?? throw NotStarted();

    /// <summary>Typed client of the inspection API.</summary>
    public SimulatorInspector Inspector => _inspector ?? throw NotStarted();

    /// <summary>The running app, for the rare test that needs its services.</summary>
    public WebApplication App => _app ?? throw NotStarted();

    /// <summary>Starts a simulator with <paramref name="settings"/> merged over <see cref="DefaultSettings"/>.</summary>
    /// <param name="settings">Configuration overrides; null for the defaults.</param>
    /// <param name="timeProvider">Clock of the simulator's rate windows, delays and timestamps (e.g. a <c>FakeTimeProvider</c>).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<SimulatorFixture> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        var fixture = new SimulatorFixture(settings, timeProvider);
        try
        {
            await fixture.StartCoreAsync(cancellationToken);
            return fixture;
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client with base address <see cref="BaseUrl"/> (trailing slash) and the given bearer token, or none when null. The caller disposes it.</summary>
    public HttpClient CreateClient(string? bearerToken)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl + "/") };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        return client;
    }

    /// <inheritdoc />
    public Task InitializeAsync() => StartCoreAsync(CancellationToken.None);

    /// <summary>Stops the simulator and disposes the clients.</summary>
    public async Task DisposeAsync()
    {
        _client?.Dispose();
        _inspectionClient?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _client = null;
        _inspectionClient = null;
        _inspector = null;
        _app = null;
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("The simulator is already running.");
        }

        // Command-line arguments rather than a second Build overload: the fixture starts the simulator
        // exactly the way `dotnet run --project tests/Libromi.Simulator -- ...` does.
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            .. _settings.Where(setting => setting.Value is not null).Select(setting => $"--{setting.Key}={setting.Value}"),
        ];
        _app = SimulatorApp.Build(args, _timeProvider);
        await _app.StartAsync(cancellationToken);

        // Kestrel replaces port 0 with the bound port once it listens.
        var root = new Uri(_app.Urls.Single());
        _baseUrl = new Uri(root, SimulatorApp.ApiPathBase).ToString().TrimEnd('/');
        _inspectionClient = new HttpClient { BaseAddress = root };
        _inspector = new SimulatorInspector(_inspectionClient);
        _client = CreateClient(AdminToken);
    }

    // Environment-variable spelling (Simulator__Faults__Seed) and configuration spelling (Simulator:Faults:Seed) are the same key.
    private static string ToConfigurationKey(string key) => key.Replace("__", ":", StringComparison.Ordinal);

    private static InvalidOperationException NotStarted() => new("The simulator has not been started.");
}
