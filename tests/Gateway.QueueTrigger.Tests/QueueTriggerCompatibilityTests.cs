using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.Hosting;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Libromi.Gateway.QueueTrigger;

/// <summary>
/// The Functions host's own queue trigger (the WebJobs Storage Queues extension, which runs every <c>[QueueTrigger]</c>
/// on Azure) against Azurite, configured from the repository's host.json, reading what the gateway's own queue client
/// writes: the encodings cannot drift apart without this test failing.
/// </summary>
public sealed class QueueTriggerCompatibilityTests : IAsyncLifetime
{
    private const string FailingPhone = "447700900999";
    private readonly AzuriteFixture _azurite = new();

    public Task InitializeAsync() => _azurite.InitializeAsync();

    public Task DisposeAsync() => _azurite.DisposeAsync();

    [Fact]
    public async Task Host_queue_trigger_reads_gateway_messages_honours_their_delay_and_poisons_a_failing_one_after_maxDequeueCount()
    {
        // The gateway's side: its own storage registration (the queue client and its encoding) and its own enqueue.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = _azurite.ConnectionString }).Build();
        await using var gatewayServices = new ServiceCollection().AddGatewayStorage(configuration).BuildServiceProvider();
        var queues = new OperationQueues(gatewayServices.GetRequiredService<QueueServiceClient>());
        await queues.EnsureCreatedAsync();

        var hostJson = HostJsonQueues.Read(Path.Combine(RepositoryRoot.Path, "host.json"));
        Assert.Equal(5, hostJson.MaxDequeueCount);
        using var host = new HostBuilder()
            .ConfigureAppConfiguration(config => config.AddConfiguration(configuration))
            .ConfigureWebJobs(webJobs => webJobs.AddAzureStorageQueues(options => hostJson.ApplyTo(options)))
            .ConfigureServices(services => services.AddSingleton<ITypeLocator>(new FunctionTypes(typeof(RealtimeFunction))))
            .Build();
        RealtimeFunction.Received.Clear();
        await host.StartAsync();
        try
        {
            var plain = Envelope("447700900901");
            var delayed = Envelope("447700900902");
            var failing = Envelope(FailingPhone);
            var sentAt = DateTimeOffset.UtcNow;
            await queues.EnqueueAsync(plain);
            await queues.EnqueueAsync(delayed, visibilityDelay: TimeSpan.FromSeconds(3));
            await queues.EnqueueAsync(failing);

            // Encoding: the trigger hands the function the exact text the gateway serialised.
            var first = await WaitForReceiptsAsync(queues, plain.OperationId, 1, "the plain message");
            Assert.Equal(EnvelopeSerializer.Serialize(plain), first[0].Text);
            Assert.Equal(1, first[0].DequeueCount);

            // Visibility: a message the gateway requeues with a delay is not handed over before it.
            var later = await WaitForReceiptsAsync(queues, delayed.OperationId, 1, "the delayed message");
            Assert.True(later[0].At - sentAt >= TimeSpan.FromSeconds(2.5), $"the delayed message arrived after {(later[0].At - sentAt).TotalSeconds:0.0} s");

            // Poison: a function that keeps failing sees the message maxDequeueCount times, then it is in <queue>-poison,
            // still readable by the gateway's own client (dead-letter tooling reads it there).
            var poison = queues.Poison(queues.Realtime);
            var poisoned = await Eventually.WaitForAsync(async () => (await poison.PeekMessagesAsync(10)).Value, m => m.Length > 0, "the poison message", TimeSpan.FromSeconds(60));
            Assert.Equal(EnvelopeSerializer.Serialize(failing), poisoned[0].Body.ToString());
            Assert.Equal([1L, 2, 3, 4, 5], Find(failing.OperationId).Select(r => r.DequeueCount).Order());
            Assert.Equal(0, (await queues.Realtime.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>
    /// Waits for deliveries of one operation; on timeout, says what the function did receive and what the extension put
    /// in the poison queue (an encoding mismatch shows there).
    /// </summary>
    private static async Task<List<RealtimeFunction.Receipt>> WaitForReceiptsAsync(OperationQueues queues, string operationId, int count, string what)
    {
        try
        {
            return await Eventually.WaitForAsync(() => Task.FromResult(Find(operationId)), r => r.Count >= count, what);
        }
        catch (TimeoutException exception)
        {
            static string Short(string text) => text.Length <= 120 ? text : text[..120] + "...";
            var received = RealtimeFunction.Received.Select(r => Short(r.Text));
            var poisoned = (await queues.Poison(queues.Realtime).PeekMessagesAsync(10)).Value.Select(m => Short(m.Body.ToString()));
            throw new TimeoutException(
                $"{exception.Message}\nthe function received:\n{string.Join("\n", received)}\nthe poison queue holds:\n{string.Join("\n", poisoned)}", exception);
        }
    }

    private static List<RealtimeFunction.Receipt> Find(string operationId) =>
        [.. RealtimeFunction.Received.Where(r => r.Text.Contains(operationId, StringComparison.Ordinal))];

    private static OperationEnvelope Envelope(string phone) => new()
    {
        OperationId = Guid.NewGuid().ToString("N"),
        PhoneNumber = phone,
        Steps = [OperationStep.UpdateAttributes(new JsonObject { ["city"] = "Leeds" })],
        Source = "test",
        ReceivedAt = DateTimeOffset.UtcNow,
        CorrelationId = "queue-trigger-test",
    };

    /// <summary>A queue function as the Functions host would run it: it records each delivery and fails for one contact.</summary>
    public static class RealtimeFunction
    {
        public sealed record Receipt(string Text, long DequeueCount, DateTimeOffset At);

        public static ConcurrentQueue<Receipt> Received { get; } = new();

        public static void Run([QueueTrigger(QueueNames.Realtime, Connection = StorageServiceCollectionExtensions.StorageConnectionName)] string message, long dequeueCount)
        {
            Received.Enqueue(new Receipt(message, dequeueCount, DateTimeOffset.UtcNow));
            if (message.Contains(FailingPhone, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("This function fails for the poison test.");
            }
        }
    }

    /// <summary>Only the test's function, not every type in the test run.</summary>
    private sealed class FunctionTypes(params Type[] types) : ITypeLocator
    {
        public IReadOnlyList<Type> GetTypes() => types;
    }
}

/// <summary>host.json's <c>extensions.queues</c>, as the Functions host applies it to the extension's <see cref="QueuesOptions"/>.</summary>
internal sealed record HostJsonQueues(int BatchSize, int NewBatchThreshold, int MaxDequeueCount, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval, QueueMessageEncoding Encoding)
{
    public static HostJsonQueues Read(string path)
    {
        var queues = JsonNode.Parse(File.ReadAllText(path))!["extensions"]!["queues"]!;
        return new HostJsonQueues(
            queues["batchSize"]!.GetValue<int>(),
            queues["newBatchThreshold"]!.GetValue<int>(),
            queues["maxDequeueCount"]!.GetValue<int>(),
            TimeSpan.Parse(queues["visibilityTimeout"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            TimeSpan.Parse(queues["maxPollingInterval"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            Enum.Parse<QueueMessageEncoding>(queues["messageEncoding"]!.GetValue<string>(), ignoreCase: true));
    }

    /// <summary>
    /// Every value as host.json has it, except two timings shortened so the test takes seconds: the delay after a failed
    /// invocation (10 s) and the longest poll interval (2 s).
    /// </summary>
    public void ApplyTo(QueuesOptions options)
    {
        options.BatchSize = BatchSize;
        options.NewBatchThreshold = NewBatchThreshold;
        options.MaxDequeueCount = MaxDequeueCount;
        options.MessageEncoding = Encoding;
        options.VisibilityTimeout = TimeSpan.Zero;
        options.MaxPollingInterval = MaxPollingInterval < TimeSpan.FromMilliseconds(500) ? MaxPollingInterval : TimeSpan.FromMilliseconds(500);
    }
}
