using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Libromi.Gateway.Imports;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Standalone;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Processing;

namespace Libromi.Gateway.Benchmarks.Imports;

/// <summary>
/// One gateway (the standalone host, in this process, without its queue listener so nothing is delivered), the
/// baseline (N rows enqueued one message per row), then one upload over HTTP: N generated rows, or a JSON file whose
/// second element is many megabytes. Both kinds of run go through the same steps before the upload, so their peaks
/// differ only by it. Storage requests are counted by a pipeline policy on every Azure client.
/// </summary>
internal static class ImportRun
{
    private const string Key = "bench-key";
    private const int BaselineSampleRows = 10_000;

    public static Task<int> RunChildAsync(int rows, string connection) => RunAsync(rows, connection, settings: [], async (http, _) =>
    {
        var watch = Stopwatch.StartNew();
        var accepted = await ImportAsync(http, rows);
        watch.Stop();
        if (accepted != rows)
        {
            throw new InvalidOperationException($"Accepted {accepted} of {rows} rows.");
        }
        return watch.Elapsed.TotalSeconds;
    });

    /// <summary>
    /// A JSON file whose second element is <paramref name="megabytes"/> MB, under <c>Imports__MaxRecordBytes</c> =
    /// <paramref name="maxRecordBytes"/>: the figure is the gateway's peak while it refuses it. The baseline runs on the
    /// 100,000-row run's 10,000-row sample first, so the process has been through the same as that run's.
    /// </summary>
    public static Task<int> RunElementChildAsync(int megabytes, int maxRecordBytes, string connection) =>
        RunAsync(100_000, connection, [$"--Imports:MaxRecordBytes={maxRecordBytes}"], async (http, result) =>
        {
            var content = new StreamContent(new GeneratedJsonElement(megabytes * 1024 * 1024), 64 * 1024);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/imports") { Content = content };
            request.Headers.TransferEncodingChunked = true;
            var watch = Stopwatch.StartNew();
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            watch.Stop();
            var code = JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
            result.Answer = $"{(int)response.StatusCode} {code}";
            return watch.Elapsed.TotalSeconds;
        });

    private static async Task<int> RunAsync(int rows, string connection, string[] settings, Func<HttpClient, Outcome, Task<double>> upload)
    {
        var counter = new RequestCounter();
        var app = StandaloneApp.Build(
        [
            $"--AzureWebJobsStorage={connection}", "--Libromi:BaseUrl=http://127.0.0.1:9/api/v1", "--Libromi:ApiToken=unused",
            $"--Gateway:ApiKey={Key}", "--Logging:LogLevel:Default=Warning", "--urls=http://127.0.0.1:0", .. settings,
        ], services =>
        {
            services.Remove(services.Single(d => d.ImplementationType == typeof(DrainService)));
            services.AddAzureClients(clients => clients.ConfigureDefaults(options => options.AddPolicy(counter, HttpPipelinePosition.PerRetry)));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Add("x-functions-key", Key);
        var queues = app.Services.GetRequiredService<OperationQueues>();
        await queues.EnsureCreatedAsync();

        await ImportAsync(http, 500); // warm-up: JIT, connections, the table
        await queues.Bulk.ClearMessagesAsync();

        // Baseline first, on at most 10,000 messages in a queue of its own: Azurite (one Node.js thread, in memory)
        // slows down and times out as it fills, which would flatter the import. It is a rate, not a total.
        var baselineRows = Math.Min(rows, BaselineSampleRows);
        var concurrency = app.Services.GetRequiredService<IOptions<ImportOptions>>().Value.EnqueueConcurrency;
        var baselineQueue = app.Services.GetRequiredService<Azure.Storage.Queues.QueueServiceClient>().GetQueueClient($"bench-baseline-{rows}");
        await baselineQueue.CreateIfNotExistsAsync();
        var before = counter.Count;
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, baselineRows), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, token) =>
            await baselineQueue.SendMessageAsync(EnvelopeSerializer.Serialize(new OperationEnvelope
            {
                OperationId = Guid.CreateVersion7().ToString("N"),
                PhoneNumber = Phone(i),
                Steps = [OperationStep.UpdateAttributes(new() { ["name"] = $"Name {i}", ["group"] = "Leads", ["city"] = "Leeds" })],
                Source = "import:baseline",
                Lane = Lane.Bulk,
                ReceivedAt = DateTimeOffset.UtcNow,
                CorrelationId = "baseline",
            }), visibilityTimeout: null, timeToLive: TimeSpan.FromSeconds(-1), token));
        watch.Stop();
        var baselineSeconds = watch.Elapsed.TotalSeconds;
        var baselineTransactions = counter.Count - before;
        await baselineQueue.DeleteAsync();
        GC.Collect();

        before = counter.Count;
        var outcome = new Outcome();
        var importSeconds = await upload(http, outcome);
        var importTransactions = counter.Count - before;
        var peak = PeakWorkingSet();
        var messages = (await queues.Bulk.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        await queues.Bulk.ClearMessagesAsync();

        Console.WriteLine(JsonSerializer.Serialize(new RunResult(rows, rows / importSeconds, baselineRows / baselineSeconds,
            (double)importTransactions / rows, (double)baselineTransactions / baselineRows, messages, peak) { Answer = outcome.Answer, Seconds = importSeconds }));
        await app.StopAsync();
        return 0;
    }

    private static async Task<int> ImportAsync(HttpClient http, int rows)
    {
        // Generated while it is sent, chunked: neither side holds the file.
        var content = new StreamContent(new GeneratedCsv(rows), 64 * 1024);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/imports") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Import answered {(int)response.StatusCode}: {body}");
        }
        return JsonDocument.Parse(body).RootElement.GetProperty("accepted").GetInt32();
    }

    internal static string Phone(int i) => "1555" + i.ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>Peak resident set of this process (VmHWM on Linux), the figure an orchestrator's memory limit sees.</summary>
    private static long PeakWorkingSet()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.PeakWorkingSet64;
    }

    private sealed class Outcome
    {
        public string? Answer { get; set; }
    }

    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private long _count;
        public long Count => Interlocked.Read(ref _count);
        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }

    /// <summary>A JSON array of a small element and one of <paramref name="bytes"/> (a long <c>notes</c> string), generated as it is read.</summary>
    private sealed class GeneratedJsonElement(long bytes) : ForwardOnlyReadStream
    {
        private static readonly byte[] Head = Encoding.UTF8.GetBytes($"[{{\"phone_number\": \"{Phone(1)}\"}},\n{{\"phone_number\": \"{Phone(2)}\", \"notes\": \"");
        private static readonly byte[] Tail = Encoding.UTF8.GetBytes("\"}]");
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var total = Head.Length + bytes + Tail.Length;
            var written = 0;
            while (written < count && _position < total)
            {
                var target = buffer.AsSpan(offset + written, count - written);
                int take;
                if (_position < Head.Length)
                {
                    take = Math.Min(target.Length, Head.Length - (int)_position);
                    Head.AsSpan((int)_position, take).CopyTo(target);
                }
                else if (_position < Head.Length + bytes)
                {
                    take = (int)Math.Min(target.Length, Head.Length + bytes - _position);
                    target[..take].Fill((byte)'x');
                }
                else
                {
                    var at = (int)(_position - Head.Length - bytes);
                    take = Math.Min(target.Length, Tail.Length - at);
                    Tail.AsSpan(at, take).CopyTo(target);
                }
                _position += take;
                written += take;
            }
            return written;
        }
    }

    /// <summary>Libromi's template plus an attribute column, generated row by row as it is read.</summary>
    private sealed class GeneratedCsv(int rows) : ForwardOnlyReadStream
    {
        private byte[] _pending = Encoding.UTF8.GetBytes("name,phone_number,group,city\n");
        private int _offset;
        private int _next;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var written = 0;
            while (written < count)
            {
                if (_offset == _pending.Length)
                {
                    if (_next == rows)
                    {
                        break;
                    }
                    _pending = Encoding.UTF8.GetBytes($"Name {_next},{Phone(_next)},Leads,Leeds\n");
                    _offset = 0;
                    _next++;
                }
                var take = Math.Min(count - written, _pending.Length - _offset);
                Array.Copy(_pending, _offset, buffer, offset + written, take);
                _offset += take;
                written += take;
            }
            return written;
        }
    }
}
