using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Worker.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.EndToEnd.Worker;

/// <summary>
/// Plays the Azure Functions host for the built Functions app (<c>Libromi.Gateway.Functions.dll</c>), since Core
/// Tools cannot run here: it starts the worker as a process the way the host does, serves the host's gRPC stream
/// (start stream, init, metadata, load, invocations, status, terminate), fronts HTTP the way the host does with the
/// ASP.NET Core integration (route and key check from the worker's own metadata, then the request forwarded to the
/// worker's announced <c>HttpUri</c> with <c>x-ms-invocation-id</c> while the invocation goes over gRPC), and runs
/// the queue triggers (<see cref="QueueTriggerPump"/>).
/// </summary>
/// <remarks>
/// What it does not play: Azure's front ends, scale controller, key store and placeholder mode. Function and admin
/// keys are two fixed values (<see cref="FunctionKey"/>, <see cref="MasterKey"/>); a refused key or an unknown route
/// gets the host's bare 401/404 without a body.
/// </remarks>
public sealed class WorkerHost : IAsyncDisposable
{
    /// <summary>A function key (opens function-level routes). The same value the standalone host's tests use as the API key, so clients are shared.</summary>
    public const string FunctionKey = GatewayHost.ApiKey;

    /// <summary>The host's master key (opens admin-level routes too).</summary>
    public const string MasterKey = GatewayHost.AdminKey;

    /// <summary>
    /// Marks an answer the host gave without invoking a function (no route, refused key), so a test can tell it from
    /// the worker's own; the real host sends no such header.
    /// </summary>
    public const string AnsweredByHostHeader = "x-test-answered-by-host";

    /// <summary>How long start-up (process, stream, init, metadata, load) may take before the test fails instead of hanging.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long one HTTP invocation may take.</summary>
    public static readonly TimeSpan InvocationTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a trigger invocation may take: host.json's <c>functionTimeout</c>, as the host enforces it. A drain run
    /// lasts as long as it has work to send.
    /// </summary>
    public TimeSpan FunctionTimeout => System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppDirectory, "host.json")))?["functionTimeout"]?.GetValue<string>() is { } value
        ? TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
        : TimeSpan.FromMinutes(30);

    private readonly WorkerChannel _channel;
    private readonly WebApplication _grpcServer;
    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<QueueTriggerPump> _pumps = [];
    private readonly List<string> _invocationFailures = [];
    private HttpFront? _front;
    private int _queueMessagesCompleted;

    private WorkerHost(WorkerChannel channel, WebApplication grpcServer, Process process, StringBuilder output, string appDirectory, IReadOnlyDictionary<string, string> settings)
    {
        _channel = channel;
        _grpcServer = grpcServer;
        _process = process;
        _output = output;
        AppDirectory = appDirectory;
        Settings = settings;
    }

    /// <summary>The built Functions app's folder: the worker's directory and the function app directory.</summary>
    public string AppDirectory { get; }

    /// <summary>The app settings the worker runs with (environment variables, as on Azure).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The functions the worker reported in its <c>FunctionMetadataResponse</c>, all loaded.</summary>
    public IReadOnlyList<WorkerFunction> Functions { get; private set; } = [];

    /// <summary>The capabilities of the worker's <c>WorkerInitResponse</c>.</summary>
    public IReadOnlyDictionary<string, string> Capabilities { get; private set; } = new Dictionary<string, string>();

    /// <summary>The host's HTTP address (routes under <c>/api</c>).</summary>
    public Uri BaseAddress => _front?.BaseAddress ?? throw new InvalidOperationException("The host's HTTP side has not started.");

    /// <summary>A client of <see cref="BaseAddress"/> that sends the function key.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>host.json's <c>extensions.http.routePrefix</c>.</summary>
    public string RoutePrefix { get; private set; } = "api";

    /// <summary>
    /// Invocations the worker answered with a failure (the host would answer the caller 500 or retry the message), and
    /// queue trigger errors (a message that could not be received or decoded).
    /// </summary>
    public IReadOnlyList<string> InvocationFailures { get { lock (_invocationFailures) { return [.. _invocationFailures]; } } }

    internal void RecordFailure(string failure)
    {
        lock (_invocationFailures)
        {
            _invocationFailures.Add(failure);
        }
    }

    /// <summary>After <see cref="DisposeAsync"/>: whether the worker exited by itself, with code 0, on the host's <c>WorkerTerminate</c>.</summary>
    public bool StoppedOnTerminate { get; private set; }

    /// <summary>Queue messages the worker's queue functions completed and the queue trigger deleted.</summary>
    public int QueueMessagesCompleted => Volatile.Read(ref _queueMessagesCompleted);

    internal void CountQueueMessageCompleted() => Interlocked.Increment(ref _queueMessagesCompleted);

    /// <summary>Everything the worker wrote to stdout/stderr and streamed as RpcLog, for a failing test's message and secret scans.</summary>
    public string Output
    {
        get
        {
            var logs = string.Join("\n", _channel.Logs.Select(l => $"[rpc {l.Level}] {l.Category}: {l.Message} {l.Exception?.Message}"));
            lock (_output) { return _output + logs; }
        }
    }

    /// <summary>
    /// The app settings a deployed gateway gets, pointed at the test's Azurite and simulator. Storage is the connection
    /// string: the identity-based form (<c>AzureWebJobsStorage__queueServiceUri</c>) needs a token credential, which the
    /// Azure SDK refuses to send to Azurite's plain-HTTP endpoints.
    /// </summary>
    public static Dictionary<string, string?> DefaultSettings(AzuriteFixture azurite, SimulatorFixture simulator)
    {
        var settings = GatewayHost.SharedSettings(azurite, simulator);
        settings["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        return settings;
    }

    /// <summary>Starts the worker with <see cref="DefaultSettings"/> and <paramref name="overrides"/> (a null value removes a setting).</summary>
    /// <param name="queueTriggers">Whether to run the queue triggers (receive, invoke, delete), as the host does.</param>
    /// <exception cref="WorkerStartException">The worker exited or failed to initialise or load; the message holds what it reported.</exception>
    public static async Task<WorkerHost> StartAsync(
        AzuriteFixture azurite, SimulatorFixture simulator, IReadOnlyDictionary<string, string?>? overrides = null, bool queueTriggers = true)
    {
        var settings = DefaultSettings(azurite, simulator);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var appSettings = settings.Where(s => s.Value is not null).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);

        var channel = new WorkerChannel();
        var grpcServer = await StartGrpcServerAsync(channel);
        var grpcUri = ServerAddress(grpcServer);
        var appDirectory = FunctionsAppDirectory();
        var output = new StringBuilder();
        var process = StartWorkerProcess(appDirectory, grpcUri, appSettings, output);
        var host = new WorkerHost(channel, grpcServer, process, output, appDirectory, appSettings);
        try
        {
            await host.InitialiseAsync();
            await host.StartFrontAsync();
            if (queueTriggers)
            {
                host.StartQueueTriggers();
            }
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Invokes a function as its trigger fired, with the binding's data and trigger metadata; waits for the worker's answer.</summary>
    public async Task<InvocationResponse> InvokeAsync(string functionName, TypedData triggerData, IReadOnlyDictionary<string, TypedData> triggerMetadata, CancellationToken cancellationToken = default)
    {
        var function = Function(functionName);
        return await InvokeAsync(function, NewInvocation(function), triggerData, triggerMetadata, cancellationToken);
    }

    /// <summary>
    /// Invokes a queue function with a message as the Storage Queues trigger hands it over: the text already decoded
    /// (host.json <c>messageEncoding</c>), with <c>DequeueCount</c>, <c>Id</c>, <c>PopReceipt</c> and the times as trigger metadata.
    /// </summary>
    public Task<InvocationResponse> InvokeQueueAsync(string functionName, QueueDelivery message, CancellationToken cancellationToken = default) =>
        InvokeAsync(functionName, new TypedData { String = message.Text }, new Dictionary<string, TypedData>
        {
            ["QueueTrigger"] = new() { String = message.Text },
            // Numbers travel as JSON: the .NET worker refuses TypedData.int in trigger metadata ("Int is not supported").
            ["DequeueCount"] = new() { Json = message.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["Id"] = new() { String = message.Id },
            ["PopReceipt"] = new() { String = message.PopReceipt },
            ["InsertionTime"] = JsonTime(message.InsertedOn),
            ["ExpirationTime"] = JsonTime(message.ExpiresOn),
            ["NextVisibleTime"] = JsonTime(message.NextVisibleOn),
            ["sys"] = Sys(functionName),
        }, cancellationToken);

    /// <summary>Invokes a timer function as the timer trigger does when its schedule fires.</summary>
    public Task<InvocationResponse> InvokeTimerAsync(string functionName, CancellationToken cancellationToken = default)
    {
        var timer = new TypedData { Json = """{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}""" };
        return InvokeAsync(functionName, timer, new Dictionary<string, TypedData> { ["timer"] = timer, ["sys"] = Sys(functionName) }, cancellationToken);
    }

    /// <summary>The host's health probe of the worker.</summary>
    public async Task<bool> IsWorkerHealthyAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var answer = await _channel.RequestAsync(new StreamingMessage { WorkerStatusRequest = new WorkerStatusRequest() }, timeout.Token);
        return answer.ContentCase == StreamingMessage.ContentOneofCase.WorkerStatusResponse;
    }

    public WorkerFunction Function(string name) =>
        Functions.SingleOrDefault(f => f.Name == name) ?? throw new InvalidOperationException($"The worker indexed no function {name}; it has {string.Join(", ", Functions.Select(f => f.Name))}.");

    public async ValueTask DisposeAsync()
    {
        // Whatever fails on the way, the finally block ends the worker process: a test run must not leave workers behind.
        var terminateSent = false;
        try
        {
            await _stopping.CancelAsync();
            foreach (var pump in _pumps)
            {
                await pump.DisposeAsync();
            }
            Client?.Dispose();
            if (!_process.HasExited && _channel.Started.IsCompletedSuccessfully && !_channel.Closed.IsCompleted)
            {
                // As the host stops a worker: WorkerTerminate with a grace period, then the process is killed if it lingers.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _channel.SendAsync(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } }, timeout.Token);
                terminateSent = true;
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The stream is already gone; the kill below ends the process.
        }
        finally
        {
            try
            {
                using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.WaitForExitAsync(exit.Token);
                StoppedOnTerminate = terminateSent && _process.ExitCode == 0;
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
            if (_front is not null)
            {
                await _front.DisposeAsync();
            }
            await _grpcServer.StopAsync();
            await _grpcServer.DisposeAsync();
            _stopping.Dispose();
        }
    }

    private async Task InitialiseAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        // A worker that exits (a missing setting, a failed start) ends the wait at once, with what it printed.
        using var watching = new CancellationTokenSource();
        var exitWatch = CancelOnExitAsync(timeout, watching.Token);
        try
        {
            await _channel.Started.WaitAsync(timeout.Token);

            var init = (await _channel.RequestAsync(new StreamingMessage
            {
                WorkerInitRequest = new WorkerInitRequest
                {
                    HostVersion = "4.0.0-libromi-test-host",
                    WorkerDirectory = AppDirectory,
                    FunctionAppDirectory = AppDirectory,
                },
            }, timeout.Token)).WorkerInitResponse;
            ThrowIfFailed("initialisation", init.Result);
            Capabilities = init.Capabilities.ToDictionary();

            var metadata = (await _channel.RequestAsync(new StreamingMessage
            {
                FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = AppDirectory },
            }, timeout.Token)).FunctionMetadataResponse;
            ThrowIfFailed("function indexing", metadata.Result);
            Functions = [.. metadata.FunctionMetadataResults.Select(WorkerFunction.From)];

            await Task.WhenAll(Functions.Select(async function =>
            {
                // The host hands each function's metadata back with the folder it loads from.
                var load = function.Metadata.Clone();
                load.Directory = AppDirectory;
                var answer = (await _channel.RequestAsync(new StreamingMessage
                {
                    FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = load },
                }, timeout.Token)).FunctionLoadResponse;
                ThrowIfFailed($"loading {function.Name}", answer.Result);
            }));

            // The worker serves the stream before its own Kestrel listens on HttpUri (a terminate in between crashes
            // its start-up): wait until HttpUri takes connections, so tests start from a worker that has fully started.
            await WaitUntilListeningAsync(new Uri(Capabilities.GetValueOrDefault("HttpUri") ?? throw new WorkerStartException("The worker announced no HttpUri.", Output)), timeout.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            await Task.Delay(200); // the last lines of a dying process's output
            var state = _process.HasExited ? $"exited with code {_process.ExitCode}" : $"did not finish starting within {StartTimeout.TotalSeconds:0} s";
            throw new WorkerStartException($"The Functions worker {state}. Its output:\n{Output}", Output);
        }
        finally
        {
            await watching.CancelAsync();
            await exitWatch;
        }
    }

    private static async Task WaitUntilListeningAsync(Uri uri, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var client = new System.Net.Sockets.TcpClient();
            try
            {
                await client.ConnectAsync(uri.Host, uri.Port, cancellationToken);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    private async Task CancelOnExitAsync(CancellationTokenSource start, CancellationToken watching)
    {
        try
        {
            await _process.WaitForExitAsync(watching);
            await start.CancelAsync();
        }
        catch (OperationCanceledException)
        {
            // Start-up finished first.
        }
    }

    private void ThrowIfFailed(string step, StatusResult result)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new WorkerStartException($"The Functions worker failed {step}: {result.Exception?.Message}\n{result.Exception?.StackTrace}\nIts output:\n{Output}", Output);
        }
    }

    internal static InvocationRequest NewInvocation(WorkerFunction function) => new()
    {
        InvocationId = Guid.NewGuid().ToString(),
        FunctionId = function.FunctionId,
        // The worker reads the W3C trace parent to start its activity; the host always sends one.
        TraceContext = new RpcTraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01", TraceState = "" },
    };

    internal async Task<InvocationResponse> InvokeAsync(WorkerFunction function, InvocationRequest request, TypedData triggerData, IReadOnlyDictionary<string, TypedData> triggerMetadata, CancellationToken cancellationToken)
    {
        request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = triggerData });
        foreach (var (name, value) in triggerMetadata)
        {
            request.TriggerMetadata[name] = value;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        timeout.CancelAfter(function.TriggerType.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase) ? InvocationTimeout : FunctionTimeout);
        var response = (await _channel.RequestAsync(new StreamingMessage { InvocationRequest = request }, timeout.Token)).InvocationResponse;
        if (response.Result.Status != StatusResult.Types.Status.Success)
        {
            RecordFailure($"{function.Name} {request.InvocationId}: {response.Result.Exception?.Message}");
        }
        return response;
    }

    private async Task StartFrontAsync()
    {
        RoutePrefix = ReadRoutePrefix(AppDirectory);
        _front = await HttpFront.StartAsync(this);
        Client = new HttpClient { BaseAddress = BaseAddress };
        Client.DefaultRequestHeaders.Add("x-functions-key", FunctionKey);
    }

    private void StartQueueTriggers()
    {
        var options = QueueTriggerOptions.FromHostJson(Path.Combine(AppDirectory, "host.json"));
        foreach (var function in Functions.Where(f => f.TriggerType.Equals("queueTrigger", StringComparison.OrdinalIgnoreCase)))
        {
            _pumps.Add(QueueTriggerPump.Start(this, function, options, _stopping.Token));
        }
    }

    private static async Task<WebApplication> StartGrpcServerAsync(WorkerChannel channel)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The worker connects with plaintext HTTP/2 (h2c), as it does to the host on the same machine.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(channel);
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync();
        return app;
    }

    private static Process StartWorkerProcess(string appDirectory, Uri grpcUri, IReadOnlyDictionary<string, string> appSettings, StringBuilder output)
    {
        var workerId = Guid.NewGuid().ToString();
        var requestId = Guid.NewGuid().ToString();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The host's command line: the older switches and the newer --functions-* ones the worker reads.
        foreach (var argument in new[]
        {
            Path.Combine(appDirectory, "Libromi.Gateway.Functions.dll"),
            "--host", grpcUri.Host, "--port", grpcUri.Port.ToString(), "--workerId", workerId, "--requestId", requestId,
            "--grpcMaxMessageLength", int.MaxValue.ToString(),
            "--functions-uri", grpcUri.ToString(), "--functions-worker-id", workerId, "--functions-request-id", requestId,
            "--functions-grpc-max-message-length", int.MaxValue.ToString(),
        })
        {
            start.ArgumentList.Add(argument);
        }
        // The test process's own settings must not leak in: the worker sees only what an app's settings give it.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("AzureWebJobs", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("Libromi__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Gateway__", StringComparison.OrdinalIgnoreCase)
            || k is "ASPNETCORE_URLS" or "DOTNET_URLS" or "ASPNETCORE_ENVIRONMENT" or "DOTNET_ENVIRONMENT").ToList())
        {
            start.Environment.Remove(inherited);
        }
        // The host sets both: the worker resolves script files and host.json (route prefix) from them.
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        foreach (var (name, value) in appSettings)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output) { output.AppendLine(line); }
        }
    }

    /// <summary>The Functions project's build output of the test's configuration (the test project references the project, so it is built first).</summary>
    private static string FunctionsAppDirectory()
    {
        // .../tests/Gateway.EndToEnd.Tests/bin/<Configuration>/<tfm>/
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        var directory = Path.Combine(RepositoryRoot.Path, "functions", "Gateway.Functions", "bin", configuration, framework.Name);
        return File.Exists(Path.Combine(directory, "Libromi.Gateway.Functions.dll"))
            ? directory
            : throw new InvalidOperationException($"{directory} holds no Libromi.Gateway.Functions.dll: build the solution with -c {configuration} first.");
    }

    private static string ReadRoutePrefix(string appDirectory)
    {
        var hostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(appDirectory, "host.json")));
        return hostJson?["extensions"]?["http"]?["routePrefix"]?.GetValue<string>() ?? "api";
    }

    internal static Uri ServerAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static TypedData JsonTime(DateTimeOffset? time) =>
        new() { Json = time is null ? "null" : $"\"{time.Value.UtcDateTime:O}\"" };

    internal static TypedData Sys(string functionName) =>
        new() { Json = $$"""{"MethodName":"{{functionName}}","UtcNow":"{{DateTime.UtcNow:O}}","RandGuid":"{{Guid.NewGuid()}}"}""" };
}

/// <summary>The worker did not start: it exited, or reported a failed init, index or load.</summary>
public sealed class WorkerStartException(string message, string output) : Exception(message)
{
    /// <summary>What the worker printed and streamed.</summary>
    public string Output { get; } = output;
}
