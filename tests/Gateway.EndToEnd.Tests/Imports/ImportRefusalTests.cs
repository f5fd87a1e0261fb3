using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Azure.Data.Tables;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Imports;

namespace Libromi.Gateway.EndToEnd.Imports;

/// <summary>
/// Issue 12: files the readers cannot take are answered with a 4xx problem, and whatever was staged for them in the
/// <c>imports</c> table before the problem showed is gone afterwards (looked up in Azurite, not inferred from the answer).
/// </summary>
public sealed class ImportRefusalTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        // Small packs, so a few hundred rows already make several staged chunks that a refusal has to take back.
        _gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?> { ["Imports:RowsPerMessage"] = "5" },
            GatewayHost.WithoutDrain);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static readonly byte[] LoneSurrogateEscape = "\"A\\ud800\""u8.ToArray();
    private static readonly byte[] RawFf = [(byte)'"', (byte)'A', 0xFF, (byte)'"'];
    private static readonly byte[] Overlong = [(byte)'"', (byte)'A', 0xC0, 0xAF, (byte)'"'];

    public static TheoryData<string, string> InvalidTexts => new()
    {
        { "lone surrogate escape", "value" },
        { "lone surrogate escape", "key" },
        { "raw 0xFF", "value" },
        { "raw 0xFF", "key" },
        { "overlong 0xC0 0xAF", "value" },
        { "overlong 0xC0 0xAF", "key" },
    };

    [Theory]
    [MemberData(nameof(InvalidTexts))]
    public async Task Json_import_with_invalid_text_is_refused_naming_the_element_and_stages_and_queues_nothing(string text, string place)
    {
        var invalid = text switch { "lone surrogate escape" => LoneSurrogateEscape, "raw 0xFF" => RawFf, _ => Overlong };
        var property = place == "key" ? [.. invalid, .. ": \"x\""u8] : (byte[])[.. "\"city\": "u8, .. invalid];
        // Enough valid elements before it that whole packs were staged when the bad one is reached.
        var valid = string.Concat(Enumerable.Range(0, 30).Select(i => $"{{\"phone_number\": \"4477009{i:D5}\"}},\n"));
        byte[] body = [.. Encoding.UTF8.GetBytes("[\n" + valid + "{\"phone_number\": \"447700900999\", \"attributes\": {"), .. property, .. "}}\n]"u8];

        var before = await StagedEntitiesAsync();

        using var response = await PostAsync(body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(ImportFileErrorCodes.InvalidEncoding, problem["code"]!.GetValue<string>());
        Assert.Equal(31, problem["line"]!.GetValue<int>());
        Assert.Contains("element 31", problem["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await StagedEntitiesAsync());
        Assert.Equal(0, await _gateway.BulkDepthAsync());
    }

    [Fact]
    public async Task Runaway_quoted_csv_field_is_refused_naming_its_line_before_the_rest_is_buffered()
    {
        var csv = "phone_number,name\n" +
            string.Concat(Enumerable.Range(0, 40).Select(i => $"4477009{i:D5},Name {i}\n")) +
            "447700900999,\"an unclosed quote swallows the rest of the file\n" +
            string.Concat(Enumerable.Repeat("447700900998,more text that is now inside the quoted field\n", 4_000));

        var before = await StagedEntitiesAsync();

        using var response = await PostAsync(Encoding.UTF8.GetBytes(csv), "text/csv");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(ImportFileErrorCodes.RecordTooLarge, problem["code"]!.GetValue<string>());
        Assert.Equal(42, problem["line"]!.GetValue<int>());
        Assert.Contains("line 42", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Imports__MaxRecordBytes", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, await StagedEntitiesAsync());
        Assert.Equal(0, await _gateway.BulkDepthAsync());
    }

    /// <summary>The report's reproduction: a record past Sep's 16,777,216-character limit made the reader throw and left 200 chunks behind.</summary>
    [Fact]
    public async Task A_12000_row_csv_ending_in_a_17_MB_record_is_refused_and_leaves_nothing_in_the_imports_table()
    {
        var rows = string.Concat(Enumerable.Range(0, 12_000).Select(i => $"4477{i:D8},Name {i}\n"));
        var runaway = "447799999999,\"" + new string('x', 17 * 1024 * 1024);
        var body = Encoding.UTF8.GetBytes("phone_number,name\n" + rows + runaway);

        var before = await StagedEntitiesAsync();

        using var response = await PostAsync(body, "text/csv");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(ImportFileErrorCodes.RecordTooLarge, problem["code"]!.GetValue<string>());
        Assert.Equal(12_002, problem["line"]!.GetValue<int>());
        Assert.Equal(before, await StagedEntitiesAsync());
        Assert.Equal(0, await _gateway.BulkDepthAsync());
    }

    [Fact]
    public async Task An_unexpected_failure_inside_the_reader_after_chunks_were_staged_is_a_refusal_that_leaves_nothing_behind()
    {
        // A body that breaks the way a parser's own limit does (Sep throws NotSupportedException), after 12,000 rows.
        using var body = new FailingBody("phone_number,name\n", i => $"4477{i:D8},Name {i}\n", records: 12_000, new NotSupportedException("parser limit"));
        var intake = _gateway.App.Services.GetRequiredService<ImportIntake>();
        var before = await StagedEntitiesAsync();

        var result = await intake.AcceptAsync(body, ImportFormat.Csv, strict: false, correlationId: null, CancellationToken.None);

        var refused = Assert.IsType<ImportIntakeResult.FileRefused>(result);
        Assert.Equal(ImportFileErrorCodes.UnreadableFile, refused.Error.Code);
        Assert.True(body.Failed, "the body was read up to its failure, after 12,000 rows were staged");
        Assert.Equal(before, await StagedEntitiesAsync());
        Assert.Equal(0, await _gateway.BulkDepthAsync());
    }

    [Fact]
    public async Task A_third_concurrent_import_is_answered_429_with_Retry_After_and_stages_nothing_while_two_are_read()
    {
        // The default Imports__MaxConcurrent (2), not a shortened one: two uploads held open, the third refused.
        using var firstHeld = new HeldBody("phone_number,name\n447700900001,Held\n");
        using var secondHeld = new HeldBody("phone_number,name\n447700900002,Held\n");
        var before = await StagedEntitiesAsync();
        var first = _gateway.Client.PostAsync("/api/imports", firstHeld.Content("text/csv"));
        var second = _gateway.Client.PostAsync("/api/imports", secondHeld.Content("text/csv"));
        // Both held imports are inside the intake (their headers written) before the third arrives.
        var stagedWhileHeld = await Eventually.WaitForAsync(StagedEntitiesAsync,
            keys => keys.Except(before).Count(k => k.EndsWith("/" + ImportTable.HeaderKey, StringComparison.Ordinal)) == 2, "the held imports' headers");

        using var third = await PostAsync("phone_number\n447700900003\n"u8.ToArray(), "text/csv");

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType!.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(ImportsApi.BusyRetryAfterSeconds), third.Headers.RetryAfter?.Delta);
        var problem = await third.ReadJsonAsync();
        Assert.Equal(ImportFileErrorCodes.TooManyImports, problem["code"]!.GetValue<string>());
        Assert.Contains("Imports__MaxConcurrent", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(stagedWhileHeld, await StagedEntitiesAsync());

        firstHeld.Release();
        using var firstResponse = await first;
        Assert.Equal(HttpStatusCode.Accepted, firstResponse.StatusCode);
        using var again = await PostAsync("phone_number\n447700900003\n"u8.ToArray(), "text/csv");
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        secondHeld.Release();
        using var secondResponse = await second;
        Assert.Equal(HttpStatusCode.Accepted, secondResponse.StatusCode);
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await _gateway.Client.PostAsync("/api/imports", content);
    }

    /// <summary>
    /// Every entity of every import partition (the list of running imports aside), as "partition/row". Tests of this
    /// class share one Azurite, so a refusal is checked to leave this list as it found it.
    /// </summary>
    private async Task<List<string>> StagedEntitiesAsync()
    {
        var imports = new TableServiceClient(fixture.Azurite.ConnectionString).GetTableClient(ImportTable.TableName);
        await imports.CreateIfNotExistsAsync();
        var keys = new List<string>();
        await foreach (var entity in imports.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ne {RunningImportIndex.Partition}"), select: ["PartitionKey", "RowKey"]))
        {
            keys.Add(entity.PartitionKey + "/" + entity.RowKey);
        }
        return keys;
    }

    /// <summary>A generated CSV body whose read fails with <paramref name="failure"/> once its records are used up.</summary>
    private sealed class FailingBody(string header, Func<int, string> record, int records, Exception failure) : ForwardOnlyReadStream
    {
        private readonly MemoryStream _content = new(Encoding.UTF8.GetBytes(header + string.Concat(Enumerable.Range(0, records).Select(record))));

        public bool Failed { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = _content.Read(buffer, offset, count);
            if (read == 0)
            {
                Failed = true;
                throw failure;
            }
            return read;
        }
    }

    /// <summary>A chunked upload that sends its first bytes and then waits until the test releases it.</summary>
    private sealed class HeldBody(string head) : IDisposable
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HttpContent Content(string contentType)
        {
            var content = new PushContent(async stream =>
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(head));
                await stream.FlushAsync();
                await _released.Task;
            });
            content.Headers.ContentType = new(contentType);
            return content;
        }

        public void Release() => _released.TrySetResult();

        public void Dispose() => Release();

        private sealed class PushContent(Func<Stream, Task> write) : HttpContent
        {
            protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => write(stream);

            protected override bool TryComputeLength(out long length)
            {
                length = 0;
                return false;
            }
        }
    }
}
