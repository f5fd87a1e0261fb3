using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Libromi.Gateway.Benchmarks.Harness;
using Libromi.Gateway.Functions;
using Libromi.Gateway.Hosting;
using Libromi.Gateway.Processing;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.Benchmarks.Flex;

/// <summary>
/// One Flex Consumption instance of the Functions app, modelled: the app's own service registration
/// (<see cref="GatewayServiceCollectionExtensions.AddGateway"/>, as Program.cs does), its function classes invoked the
/// way the Storage Queues extension invokes a queue trigger (receive up to <c>batchSize</c>, one invocation per
/// message, delete on success), and a meter of billed time: every second in which at least one invocation runs.
/// </summary>
internal sealed class FlexInstance : IAsyncDisposable
{
    private static readonly TimeSpan PollingInterval = TimeSpan.FromSeconds(2);

    private readonly ServiceProvider _services;
    private readonly QueueClient _triggerQueue;
    private readonly Func<IServiceProvider, string, CancellationToken, Task> _invoke;
    private readonly int _batchSize;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _meter = new();
    private readonly Task _loop;
    private int _running;
    private DateTimeOffset _busySince;
    private TimeSpan _billed;

    private FlexInstance(ServiceProvider services, QueueClient triggerQueue, int batchSize, Func<IServiceProvider, string, CancellationToken, Task> invoke, StorageRequestCounter storageRequests)
    {
        _services = services;
        StorageRequests = storageRequests;
        _triggerQueue = triggerQueue;
        _batchSize = batchSize;
        _invoke = invoke;
        LastBusy = DateTimeOffset.UtcNow;
        _loop = Task.Run(TriggerLoopAsync);
    }

    /// <summary>Requests this instance's storage clients sent.</summary>
    public StorageRequestCounter StorageRequests { get; }

    /// <summary>When an invocation last ran here (scale-in removes instances idle for a while).</summary>
    public DateTimeOffset LastBusy { get; private set; }

    public IServiceProvider Services => _services;

    /// <summary>Seconds in which at least one invocation ran: what Flex Consumption bills on-demand instances for.</summary>
    public TimeSpan Billed
    {
        get
        {
            lock (_meter)
            {
                return _running > 0 ? _billed + (DateTimeOffset.UtcNow - _busySince) : _billed;
            }
        }
    }

    /// <param name="triggerQueue">The queue the modelled app triggers on.</param>
    /// <param name="invoke">One invocation of the app's function for one message of <paramref name="triggerQueue"/>.</param>
    public static FlexInstance Start(IReadOnlyDictionary<string, string> settings, string triggerQueue, int batchSize,
        Func<IServiceProvider, string, CancellationToken, Task> invoke)
    {
        var counter = new StorageRequestCounter();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings!).Build();
        var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole().AddFilter("Libromi.Gateway.Secrets", LogLevel.Error))
            .AddSingleton<IConfiguration>(configuration);
        services.AddGateway(configuration);
        services.AddAzureClients(clients => clients.ConfigureDefaults(options => options.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerRetry)));
        var provider = services.BuildServiceProvider();
        var queue = provider.GetRequiredService<QueueServiceClient>().GetQueueClient(triggerQueue);
        return new FlexInstance(provider, queue, batchSize, invoke, counter);
    }

    /// <summary>The timer trigger firing here: one invocation of <paramref name="invoke"/>, metered like the others.</summary>
    public Task FireTimerAsync(Func<IServiceProvider, CancellationToken, Task> invoke) => MeteredAsync(() => invoke(_services, _stopping.Token));

    private async Task TriggerLoopAsync()
    {
        var inFlight = new List<Task>();
        while (!_stopping.IsCancellationRequested)
        {
            inFlight.RemoveAll(task => task.IsCompleted);
            // As the extension: a new batch once in-flight invocations drop to half a batch (newBatchThreshold).
            if (inFlight.Count > _batchSize / 2)
            {
                await Task.WhenAny(inFlight).ConfigureAwait(false);
                continue;
            }
            QueueMessage[] batch;
            try
            {
                batch = (await _triggerQueue.ReceiveMessagesAsync(_batchSize, TimeSpan.FromMinutes(10), _stopping.Token).ConfigureAwait(false)).Value;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Azure.RequestFailedException)
            {
                await Task.Delay(PollingInterval, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            if (batch.Length == 0)
            {
                await Task.Delay(PollingInterval, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            inFlight.AddRange(batch.Select(message => MeteredAsync(async () =>
            {
                await _invoke(_services, message.Body.ToString(), _stopping.Token).ConfigureAwait(false);
                await _triggerQueue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
            })));
        }
        await Task.WhenAll(inFlight).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task MeteredAsync(Func<Task> invocation)
    {
        lock (_meter)
        {
            if (_running++ == 0)
            {
                _busySince = DateTimeOffset.UtcNow;
            }
        }
        try
        {
            await invocation().ConfigureAwait(false);
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // Scaled in mid-invocation: the message reappears after its visibility timeout, as on Azure.
        }
        catch (Exception exception)
        {
            // A failed invocation: the message reappears, as on Azure; the run's figures would be meaningless without saying so.
            Console.Error.WriteLine($"invocation failed: {exception.GetType().Name}: {exception.Message}");
            throw;
        }
        finally
        {
            lock (_meter)
            {
                if (--_running == 0)
                {
                    _billed += DateTimeOffset.UtcNow - _busySince;
                }
                LastBusy = DateTimeOffset.UtcNow;
            }
        }
    }

    public bool IsBusy { get { lock (_meter) { return _running > 0; } } }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _services.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>The app's functions, as the worker resolves them: constructed from the instance's services per invocation.</summary>
    public static Task DrainOnWake(IServiceProvider services, string message, CancellationToken cancellationToken) =>
        ActivatorUtilities.CreateInstance<OperationDrainFunctions>(services).DrainOnWakeAsync(message, cancellationToken);

    public static Task DrainOnSchedule(IServiceProvider services, CancellationToken cancellationToken) =>
        ActivatorUtilities.CreateInstance<OperationDrainFunctions>(services).DrainOnScheduleAsync(new Microsoft.Azure.Functions.Worker.TimerInfo(), cancellationToken);

    /// <summary>The design before the drain: one invocation per operation message, handed to the processor, waiting for its permit.</summary>
    public static async Task ProcessEachMessage(IServiceProvider services, string message, CancellationToken cancellationToken) =>
        await services.GetRequiredService<OperationProcessor>().ProcessAsync(message, cancellationToken).ConfigureAwait(false);
}
