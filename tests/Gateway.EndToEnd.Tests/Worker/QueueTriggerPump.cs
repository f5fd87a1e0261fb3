using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Libromi.Gateway.EndToEnd.Worker.Rpc;

namespace Libromi.Gateway.EndToEnd.Worker;

/// <summary>A queue message as the Storage Queues trigger hands it to a function: text already decoded, and its system properties.</summary>
public sealed record QueueDelivery(string Text, long DequeueCount, string Id, string PopReceipt, DateTimeOffset? InsertedOn, DateTimeOffset? ExpiresOn, DateTimeOffset? NextVisibleOn)
{
    public static QueueDelivery From(QueueMessage message) =>
        new(message.Body.ToString(), message.DequeueCount, message.MessageId, message.PopReceipt, message.InsertedOn, message.ExpiresOn, message.NextVisibleOn);
}

/// <summary>host.json's <c>extensions.queues</c>, the settings the host's queue trigger runs with.</summary>
public sealed record QueueTriggerOptions(int BatchSize, int MaxDequeueCount, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval, QueueMessageEncoding Encoding)
{
    /// <summary>
    /// Reads host.json. The polling interval is capped at 250 ms so tests take seconds; every other value is the
    /// repository's, so an encoding that drifts from what the gateway writes fails these tests.
    /// </summary>
    public static QueueTriggerOptions FromHostJson(string path)
    {
        var queues = JsonNode.Parse(File.ReadAllText(path))?["extensions"]?["queues"];
        var polling = TimeSpan.Parse(queues?["maxPollingInterval"]?.GetValue<string>() ?? "00:01:00", System.Globalization.CultureInfo.InvariantCulture);
        // The extension's default encoding is base64; "none" hands the raw text over.
        var encoding = (queues?["messageEncoding"]?.GetValue<string>() ?? "base64").Equals("none", StringComparison.OrdinalIgnoreCase)
            ? QueueMessageEncoding.None
            : QueueMessageEncoding.Base64;
        return new QueueTriggerOptions(
            queues?["batchSize"]?.GetValue<int>() ?? 16,
            queues?["maxDequeueCount"]?.GetValue<int>() ?? 5,
            TimeSpan.Parse(queues?["visibilityTimeout"]?.GetValue<string>() ?? "00:00:00", System.Globalization.CultureInfo.InvariantCulture),
            polling < TimeSpan.FromMilliseconds(250) ? polling : TimeSpan.FromMilliseconds(250),
            encoding);
    }
}

/// <summary>
/// The host's queue trigger for one queue function, as the Storage Queues extension runs it: receive a batch, invoke
/// the function per message, delete the message when the invocation succeeded; when it failed, make the message
/// visible again after <c>visibilityTimeout</c>, or move it to <c>&lt;queue&gt;-poison</c> once it was dequeued
/// <c>maxDequeueCount</c> times. The queue and its connection come from the function's own binding.
/// </summary>
internal sealed class QueueTriggerPump : IAsyncDisposable
{
    private static readonly TimeSpan ReceiveVisibility = TimeSpan.FromMinutes(5);

    private readonly Task _loop;

    private QueueTriggerPump(Task loop) => _loop = loop;

    public static QueueTriggerPump Start(WorkerHost host, WorkerFunction function, QueueTriggerOptions options, CancellationToken stopping)
    {
        // The binding's connection names an app setting, as on Azure (AzureWebJobsStorage for the gateway's lanes).
        var connectionName = function.Connection ?? "AzureWebJobsStorage";
        if (!host.Settings.TryGetValue(connectionName, out var connectionString))
        {
            throw new InvalidOperationException($"Queue trigger {function.Name} names connection '{connectionName}', which no app setting provides.");
        }
        var clientOptions = new QueueClientOptions { MessageEncoding = options.Encoding };
        var queue = new QueueClient(connectionString, function.QueueName, clientOptions);
        var poison = new QueueClient(connectionString, function.QueueName + "-poison", clientOptions);
        return new QueueTriggerPump(Task.Run(() => RunAsync(host, function, options, queue, poison, stopping), CancellationToken.None));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped with the host.
        }
        catch (Azure.RequestFailedException)
        {
            // Storage went away while the host stopped (its Azurite is stopped after the worker).
        }
    }

    private static async Task RunAsync(WorkerHost host, WorkerFunction function, QueueTriggerOptions options, QueueClient queue, QueueClient poison, CancellationToken stopping)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: stopping);
        while (!stopping.IsCancellationRequested)
        {
            QueueMessage[] batch;
            try
            {
                batch = (await queue.ReceiveMessagesAsync(options.BatchSize, ReceiveVisibility, stopping)).Value;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Storage unreachable, or a message the configured encoding cannot decode: the trigger keeps polling,
                // and the test's failure message says why nothing arrived.
                host.RecordFailure($"{function.Name} trigger: {exception.GetType().Name}: {exception.Message}");
                await Task.Delay(options.MaxPollingInterval, stopping);
                continue;
            }
            if (batch.Length == 0)
            {
                await Task.Delay(options.MaxPollingInterval, stopping);
                continue;
            }
            await Task.WhenAll(batch.Select(message => ProcessAsync(host, function, options, queue, poison, message, stopping)));
        }
    }

    private static async Task ProcessAsync(WorkerHost host, WorkerFunction function, QueueTriggerOptions options, QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stopping)
    {
        try
        {
            await InvokeAndSettleAsync(host, function, options, queue, poison, message, stopping);
        }
        catch (Azure.RequestFailedException exception)
        {
            // A delete or update that storage refused (an expired pop receipt): the message comes back, as on Azure.
            host.RecordFailure($"{function.Name} trigger: {exception.Status} {exception.ErrorCode} settling message {message.MessageId}");
        }
    }

    private static async Task InvokeAndSettleAsync(WorkerHost host, WorkerFunction function, QueueTriggerOptions options, QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stopping)
    {
        InvocationResponse? response = null;
        try
        {
            response = await host.InvokeQueueAsync(function.Name, QueueDelivery.From(message), stopping);
        }
        catch (Exception exception) when (exception is TimeoutException or IOException || (exception is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            // A hung or vanished worker counts as a failed invocation.
        }
        if (response?.Result.Status == StatusResult.Types.Status.Success)
        {
            try
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stopping);
            }
            catch (Azure.RequestFailedException exception) when (exception.Status == 404)
            {
                // Deleted meanwhile (a test cleared the queue): the extension ignores this too, as the message is gone either way.
            }
            host.CountQueueMessageCompleted();
        }
        else if (message.DequeueCount >= options.MaxDequeueCount)
        {
            await poison.CreateIfNotExistsAsync(cancellationToken: stopping);
            await poison.SendMessageAsync(message.Body, cancellationToken: stopping);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stopping);
        }
        else
        {
            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: options.VisibilityTimeout, cancellationToken: stopping);
        }
    }
}
