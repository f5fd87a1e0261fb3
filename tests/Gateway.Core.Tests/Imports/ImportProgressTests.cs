using Libromi.Gateway.Imports;
using Libromi.Gateway.Libromi;

namespace Libromi.Gateway.Tests.Imports;

public sealed class ImportProgressTests
{
    private static readonly DateTimeOffset QueuedAt = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly LibromiClientOptions Rate = new() { RequestsPerMinute = 60, RequestsPerHour = 1000 };

    private static ImportHeader Header(int accepted, long calls = 0, string status = ImportStatus.Queued) => new()
    {
        ImportId = "0195a0b0c0d0e0f00000000000000001",
        Status = status,
        Format = "csv",
        Strict = false,
        ReceivedAt = QueuedAt,
        QueuedAt = status == ImportStatus.Receiving ? null : QueuedAt,
        Accepted = accepted,
        Calls = calls == 0 ? accepted : calls,
        Chunks = 1,
    };

    private static FailedRow Failed(int line) => new()
    {
        Line = line, PhoneNumber = "447700900123", ReasonClass = "rejected", Reason = "Staff not found", StatusCode = 404,
        FailedAt = QueuedAt, OperationId = "op" + line,
    };

    [Fact]
    public void Nothing_delivered_yet_is_queued_with_an_eta_from_the_rate_limit()
    {
        var progress = ImportProgressReader.Summarise(Header(120), 0, null, [], realtimeDepth: 0, failedPage: 1, Rate, QueuedAt);

        Assert.Equal(ImportStatus.Queued, progress.Status);
        Assert.Equal((120, 0, 0, 120), (progress.Total, progress.Delivered, progress.Failed, progress.Pending));
        Assert.Equal(120, progress.EtaSeconds);
        Assert.Null(progress.FinishedAt);
    }

    [Fact]
    public void Rows_needing_two_calls_and_realtime_backlog_lengthen_the_eta()
    {
        var progress = ImportProgressReader.Summarise(Header(60, calls: 120), 0, null, [], realtimeDepth: 30, failedPage: 1, Rate, QueuedAt);

        Assert.Equal(150, progress.EtaSeconds);
        Assert.Equal(30, progress.RealtimeQueueDepth);
    }

    [Fact]
    public void Partly_processed_import_is_delivering_and_counts_failures_apart()
    {
        var progress = ImportProgressReader.Summarise(Header(100), 40, QueuedAt.AddMinutes(2), [Failed(7), Failed(3)], 0, 1, Rate, QueuedAt.AddMinutes(2));

        Assert.Equal(ImportStatus.Delivering, progress.Status);
        Assert.Equal((38, 2, 60), (progress.Delivered, progress.Failed, progress.Pending));
        Assert.Equal(20, progress.RowsPerMinute);
        Assert.Equal([3, 7], progress.FailedRows.Items.Select(f => f.Line));
    }

    [Fact]
    public void Every_row_processed_without_failure_is_completed_at_the_last_checkpoint()
    {
        var last = QueuedAt.AddMinutes(5);
        var progress = ImportProgressReader.Summarise(Header(10), 10, last, [], 7, 1, Rate, last.AddHours(1));

        Assert.Equal(ImportStatus.Completed, progress.Status);
        Assert.Equal(last, progress.FinishedAt);
        Assert.Equal(0, progress.EtaSeconds);
        Assert.Equal(2, progress.RowsPerMinute);
    }

    [Fact]
    public void Every_row_processed_with_a_failure_is_completed_with_failures()
    {
        var progress = ImportProgressReader.Summarise(Header(10), 10, QueuedAt, [Failed(2)], 0, 1, Rate, QueuedAt);

        Assert.Equal(ImportStatus.CompletedWithFailures, progress.Status);
        Assert.Equal((9, 1, 0), (progress.Delivered, progress.Failed, progress.Pending));
    }

    [Fact]
    public void An_upload_still_being_read_reports_receiving_and_no_totals()
    {
        var progress = ImportProgressReader.Summarise(Header(0, status: ImportStatus.Receiving), 0, null, [], 0, 1, Rate, QueuedAt);

        Assert.Equal(ImportStatus.Receiving, progress.Status);
        Assert.Equal(0, progress.Total);
        Assert.Null(progress.EtaSeconds);
    }

    [Fact]
    public void Failed_rows_are_paged_in_line_order()
    {
        var failed = Enumerable.Range(1, ImportProgressReader.FailedPageSize + 5).Reverse().Select(Failed).ToArray();

        var second = ImportProgressReader.Summarise(Header(200), 200, QueuedAt, failed, 0, failedPage: 2, Rate, QueuedAt);

        Assert.Equal(failed.Length, second.FailedRows.Total);
        Assert.Equal(Enumerable.Range(ImportProgressReader.FailedPageSize + 1, 5), second.FailedRows.Items.Select(f => f.Line));
    }
}
