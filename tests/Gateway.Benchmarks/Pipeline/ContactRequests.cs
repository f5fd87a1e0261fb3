using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Azure.Storage.Queues;
using Libromi.Gateway.Benchmarks.Harness;
using Libromi.Gateway.Ingest;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Benchmarks.Pipeline;

/// <summary>The operation every pipeline measurement sends: one canonical contact upsert with one attribute.</summary>
internal static class ContactRequests
{
    public static string Body(int i) => $$$"""{"phone_number": "+44770{{{i % 10_000_000:0000000}}}", "attributes": {"n": {{{i}}}}}""";

    /// <summary>
    /// The queue message the gateway stores for <see cref="Body"/>: parsed by the gateway's own parser and wrapped
    /// as its ingestor wraps it, so the raw baseline sends the same bytes the gateway sends.
    /// </summary>
    public static string EquivalentMessage(int i)
    {
        var parsed = CanonicalRequestParser.ParseContact(Encoding.UTF8.GetBytes(Body(i)), defaultCountryCode: null);
        var operations = parsed.Operations ?? throw new InvalidOperationException("The benchmark's contact body does not parse.");
        var now = DateTimeOffset.UtcNow;
        var id = Guid.CreateVersion7(now).ToString("N");
        return EnvelopeSerializer.Serialize(new OperationEnvelope
        {
            OperationId = id,
            PhoneNumber = operations.PhoneNumber.Digits,
            Steps = operations.Steps,
            Source = "api",
            Lane = Lane.Realtime,
            ReceivedAt = now,
            CorrelationId = ActivityTraceId.CreateRandom().ToString(),
        });
    }
}

/// <summary><c>POST /api/contacts</c> with the API key; acknowledged means 202.</summary>
internal sealed class GatewaySender : IDisposable
{
    private readonly HttpClient _http;

    public GatewaySender(Uri baseAddress)
    {
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = baseAddress };
        _http.DefaultRequestHeaders.Add("x-functions-key", GatewayInstance.ApiKey);
    }

    public async Task<bool> SendAsync(int i)
    {
        using var content = new StringContent(ContactRequests.Body(i), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync("api/contacts", content);
        await response.Content.LoadIntoBufferAsync();
        return response.StatusCode == HttpStatusCode.Accepted;
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// The baseline: <see cref="QueueClient.SendMessageAsync(string, TimeSpan?, TimeSpan?, CancellationToken)"/> of the
/// equivalent message straight to Azurite, with the gateway's encoding (Base64) and time-to-live (never). The messages
/// are built before the clock starts, so the baseline is the SDK and storage alone.
/// </summary>
internal sealed class RawQueueSender(QueueClient queue, string[] messages)
{
    public const string QueueName = "bench-raw-enqueue";
    private static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    public QueueClient Queue => queue;

    public static async Task<RawQueueSender> CreateAsync(string connectionString, int count)
    {
        var queue = new QueueClient(connectionString, QueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        return new RawQueueSender(queue, [.. Enumerable.Range(0, count).Select(ContactRequests.EquivalentMessage)]);
    }

    public async Task<bool> SendAsync(int i)
    {
        var receipt = await queue.SendMessageAsync(messages[i % messages.Length], visibilityTimeout: null, timeToLive: NeverExpires);
        return receipt.GetRawResponse().Status == 201;
    }
}
