using Libromi.Gateway.Imports;

namespace Libromi.Gateway.Tests.Imports;

public sealed class ImportBodyLimitTests
{
    [Theory]
    [InlineData(ImportFormat.Csv)]
    [InlineData(ImportFormat.Json)]
    public async Task File_past_the_byte_limit_is_refused_after_reading_one_byte_more(ImportFormat format)
    {
        var body = Body(format, records: 1_000);
        const long limit = 10_000;

        var error = await Assert.ThrowsAsync<ImportFileException>(() => DrainAsync(body, format, new ImportOptions { MaxFileBytes = limit }));

        Assert.Equal(ImportFileErrorCodes.FileTooLarge, error.Code);
        Assert.Contains("10,000 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(limit + 1, body.BytesPulled);
    }

    [Theory]
    [InlineData(ImportFormat.Csv)]
    [InlineData(ImportFormat.Json)]
    public async Task File_of_exactly_the_byte_limit_is_read(ImportFormat format)
    {
        var size = (await DrainSizeAsync(format)).Bytes;

        var rows = await DrainAsync(Body(format, records: 100), format, new ImportOptions { MaxFileBytes = size });

        Assert.Equal(100, rows);
    }

    [Fact]
    public void Default_limit_is_50_megabytes_five_times_what_Libromis_dashboard_takes()
    {
        Assert.Equal(50L * 1024 * 1024, new ImportOptions().MaxFileBytes);
    }

    private static async Task<(long Bytes, int Rows)> DrainSizeAsync(ImportFormat format)
    {
        var body = Body(format, records: 100);
        var rows = await DrainAsync(body, format, new ImportOptions());
        Assert.True(body.Finished);
        return (body.BytesPulled, rows);
    }

    private static async Task<int> DrainAsync(Stream body, ImportFormat format, ImportOptions options)
    {
        var rows = 0;
        await foreach (var row in ContactFileReader.ReadAsync(body, format, options))
        {
            Assert.IsType<ImportRow>(row);
            rows++;
        }
        return rows;
    }

    internal static GeneratedBodyStream Body(ImportFormat format, int records) => format == ImportFormat.Csv
        ? new GeneratedBodyStream("name,phone_number,group\r\n", i => $"Contact {i},+44 7700 {i:D6},Group {i % 7}\r\n", records)
        : new GeneratedBodyStream("[\n", i => $"{(i == 0 ? "" : ",\n")}{{\"name\": \"Contact {i}\", \"phone_number\": \"+44 7700 {i:D6}\", \"group\": \"Group {i % 7}\"}}", records, "\n]\n");
}
