using Libromi.Gateway.Imports;
using static Libromi.Gateway.Tests.Imports.ImportReading;

namespace Libromi.Gateway.Tests.Imports;

/// <summary>
/// Issue 12: one CSV record or JSON element may not grow past <see cref="ImportOptions.MaxRecordBytes"/> (a queue
/// message, 64 KB, by default), and JSON text must be valid: both are file errors naming where, found while reading.
/// </summary>
public sealed class RecordLimitTests
{
    [Fact]
    public void Default_record_limit_is_a_queue_message() => Assert.Equal(64 * 1024, new ImportOptions().MaxRecordBytes);

    [Fact]
    public async Task Unclosed_csv_quote_is_refused_at_the_default_limit_naming_its_line_without_reading_the_rest()
    {
        // 20 MB of body after the quote; the issue's file was 17 MB and cost about 32 MB in Sep's buffer before it threw.
        var body = new GeneratedBodyStream("phone_number,name\n447700900001,Ann\n447700900002,\"Bob\n", _ => new string('x', 1023) + "\n", records: 20 * 1024);

        var error = await Assert.ThrowsAsync<ImportFileException>(() => ReadAllAsync(body, ImportFormat.Csv, new ImportOptions()));

        Assert.Equal((ImportFileErrorCodes.RecordTooLarge, 3), (error.Code, error.Line));
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("65,536 bytes (Imports__MaxRecordBytes)", error.Message, StringComparison.Ordinal);
        Assert.True(body.BytesPulled < 256 * 1024, $"{body.BytesPulled:N0} bytes were read before the record was refused.");
    }

    [Fact]
    public async Task Csv_record_within_the_limit_is_read_with_its_quoted_line_breaks_and_later_lines_keep_their_numbers()
    {
        var longNote = string.Join("\n", Enumerable.Repeat(new string('n', 99), 50)); // 5 KB over 50 lines
        var csv = $"phone_number,note\n447700900001,\"{longNote}\"\n447700900002,short\n";

        var results = await ReadCsvAsync(csv, new ImportOptions { MaxRecordBytes = 6 * 1024 });

        Assert.Equal([2, 52], results.Select(r => r.Line));
        Assert.All(results, r => Assert.IsType<ImportRow>(r));
    }

    [Fact]
    public async Task Csv_record_is_measured_wherever_it_falls_in_the_read_buffers()
    {
        // Unquoted and ending in a line break inside one buffer: still one record over the limit.
        var csv = "phone_number,note\n447700900001,ok\n447700900002," + new string('y', 3000) + "\n447700900003,ok\n";

        var error = await Assert.ThrowsAsync<ImportFileException>(() => ReadCsvAsync(csv, new ImportOptions { MaxRecordBytes = 2048 }));

        Assert.Equal((ImportFileErrorCodes.RecordTooLarge, 3), (error.Code, error.Line));
    }

    [Fact]
    public async Task Json_element_over_the_default_limit_is_refused_naming_it_without_reading_the_rest()
    {
        // One 20 MB element after a valid one: the issue measured about 150 MB of memory for it.
        var body = new GeneratedBodyStream("[{\"phone_number\": \"447700900001\"},\n{\"phone_number\": \"447700900002\", \"notes\": \"", _ => new string('x', 1024), records: 20 * 1024, footer: "\"}]");

        var error = await Assert.ThrowsAsync<ImportFileException>(() => ReadAllAsync(body, ImportFormat.Json, new ImportOptions()));

        Assert.Equal((ImportFileErrorCodes.RecordTooLarge, 2), (error.Code, error.Line));
        Assert.Contains("Element 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("Imports__MaxRecordBytes", error.Message, StringComparison.Ordinal);
        Assert.True(body.BytesPulled < 256 * 1024, $"{body.BytesPulled:N0} bytes were read before the element was refused.");
    }

    [Fact]
    public async Task Json_elements_are_split_correctly_across_read_buffers_with_a_byte_order_mark()
    {
        // Elements of about 3 KB cross the reader's 16 KB buffer boundaries at every offset over 100 of them.
        var elements = Enumerable.Range(0, 100).Select(i => $"{{\"phone_number\": \"4477009{i:D5}\", \"attributes\": {{\"note\": \"{new string('z', 3000 + i)}\", \"n\": {i}.50}}}}");
        var bytes = Encode("[" + string.Join(",\n", elements) + "]", byteOrderMark: true);

        var results = await ReadAsync(bytes, ImportFormat.Json);

        Assert.Equal(Enumerable.Range(1, 100), results.Select(r => r.Line));
        var last = Assert.IsType<ImportRow>(results[^1]);
        Assert.Equal("447700900099", last.Operations.PhoneNumber.Digits);
        Assert.Equal("99.50", last.Operations.Steps[0].Attributes!["n"]!.ToJsonString());
    }

    public static TheoryData<string, byte[]> InvalidJsonTexts => new()
    {
        { "lone surrogate escape in a value", [.. "[{\"phone_number\": \"447700900001\"}, {\"phone_number\": \"447700900002\", \"name\": \"A\\ud800\"}]"u8] },
        { "lone surrogate escape in a key", [.. "[{\"phone_number\": \"447700900001\"}, {\"phone_number\": \"447700900002\", \"A\\udc00\": 1}]"u8] },
        { "raw 0xFF in a value", [.. "[{\"phone_number\": \"447700900001\"}, {\"phone_number\": \"447700900002\", \"attributes\": {\"city\": \"A"u8, 0xFF, .. "\"}}]"u8] },
        { "raw 0xFF in a key", [.. "[{\"phone_number\": \"447700900001\"}, {\"phone_number\": \"447700900002\", \"attributes\": {\"A"u8, 0xFF, .. "\": 1}}]"u8] },
        { "overlong 0xC0 0xAF in a key", [.. "[{\"phone_number\": \"447700900001\"}, {\"phone_number\": \"447700900002\", \"A"u8, 0xC0, 0xAF, .. "\": 1}]"u8] },
        { "overlong 0xC0 0xAF in an ignored value", [.. "[{\"phone_number\": \"447700900001\"}, {\"phone_number\": \"447700900002\", \"id\": \"A"u8, 0xC0, 0xAF, .. "\"}]"u8] },
    };

    [Theory]
    [MemberData(nameof(InvalidJsonTexts))]
    public async Task Json_text_that_is_not_valid_utf8_refuses_the_file_naming_the_element(string because, byte[] file)
    {
        var error = await Assert.ThrowsAsync<ImportFileException>(() => ReadAsync(file, ImportFormat.Json));

        Assert.True(error.Code == ImportFileErrorCodes.InvalidEncoding, $"{because}: {error.Code}");
        Assert.Equal(2, error.Line);
        Assert.StartsWith("Element 2 holds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_escapes_that_form_valid_text_are_read()
    {
        var results = await ReadJsonAsync("""[{"phone_number": "447700900001", "name": "Zo\u00eb \ud83d\ude00 \"Q\""}]""");

        var row = Assert.IsType<ImportRow>(Assert.Single(results));
        Assert.Equal("Zoë 😀 \"Q\"", row.Operations.Steps[0].Attributes!["name"]!.GetValue<string>());
    }

    private static async Task ReadAllAsync(Stream body, ImportFormat format, ImportOptions options)
    {
        await foreach (var _ in ContactFileReader.ReadAsync(body, format, options))
        {
        }
    }
}
