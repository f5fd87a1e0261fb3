using Libromi.Gateway.Imports;

namespace Libromi.Gateway.Tests.Imports;

public sealed class StreamingTests
{
    [Theory]
    [InlineData(ImportFormat.Csv)]
    [InlineData(ImportFormat.Json)]
    public async Task First_row_comes_out_long_before_the_body_is_read_to_the_end(ImportFormat format)
    {
        const int records = 100_000;
        var body = ImportBodyLimitTests.Body(format, records);
        long? pulledAtFirstRow = null;
        var rows = 0;

        await foreach (var result in ContactFileReader.ReadAsync(body, format, new ImportOptions()))
        {
            pulledAtFirstRow ??= body.BytesPulled;
            Assert.IsType<ImportRow>(result);
            rows++;
        }

        Assert.Equal(records, rows);
        Assert.True(body.Finished);
        // The file is several MB; the reader may hold a few parse buffers (tens of KB), never the file.
        Assert.True(pulledAtFirstRow < 256 * 1024, $"{pulledAtFirstRow:N0} of {body.BytesPulled:N0} bytes were pulled before the first row came out.");
        Assert.True(body.BytesPulled > 3_000_000, $"The generated file is only {body.BytesPulled:N0} bytes.");
    }

    [Fact]
    public async Task Cancelling_stops_reading_the_body()
    {
        var body = ImportBodyLimitTests.Body(ImportFormat.Csv, 100_000);
        using var cancellation = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in ContactFileReader.ReadAsync(body, ImportFormat.Csv, new ImportOptions(), cancellation.Token))
            {
                await cancellation.CancelAsync();
            }
        });

        Assert.False(body.Finished);
    }
}
