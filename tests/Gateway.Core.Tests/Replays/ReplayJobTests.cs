using Libromi.Gateway.Replays;

namespace Libromi.Gateway.Tests.Replays;

public sealed class ReplayJobTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly ReplayRequest Request = new(ReplaySource.DeadLetters, new global::Libromi.Gateway.DeadLetters.DeadLetterFilter(ReasonClass: "exhausted"), null, false);

    private static ReplayPageResult Page(int matched, int replayed, string? next, params (string Reason, int Count)[] skipped) =>
        new(matched, replayed, skipped.ToDictionary(s => s.Reason, s => s.Count), new Dictionary<string, int>(), next);

    [Fact]
    public void A_page_with_a_cursor_left_keeps_the_job_running_and_moves_the_checkpoint()
    {
        var job = ReplayJob.Create("a", Request, Start);

        var after = job.After(Page(200, 198, "cursor-1", (ReplaySkipReasons.Unreadable, 2)), Start.AddSeconds(1));

        Assert.Equal(ReplayStates.Running, after.State);
        Assert.Equal(1, after.Page);
        Assert.Equal("cursor-1", after.Cursor);
        Assert.Equal(Start.AddSeconds(1), after.StartedAt);
        Assert.Null(after.FinishedAt);
    }

    [Fact]
    public void Counts_add_up_across_pages_and_the_last_page_completes_the_job()
    {
        var job = ReplayJob.Create("a", Request, Start)
            .After(Page(200, 199, "c1", (ReplaySkipReasons.Unreadable, 1)), Start.AddSeconds(1))
            .After(Page(50, 48, null, (ReplaySkipReasons.Unreadable, 1), (ReplaySkipReasons.Duplicate, 1)), Start.AddSeconds(2));

        Assert.Equal(ReplayStates.Completed, job.State);
        Assert.Equal(2, job.Page);
        Assert.Null(job.Cursor);
        Assert.Equal(250, job.Matched);
        Assert.Equal(247, job.Replayed);
        Assert.Equal(2, job.Skipped[ReplaySkipReasons.Unreadable]);
        Assert.Equal(3, job.SkippedTotal);
        Assert.Equal(Start.AddSeconds(1), job.StartedAt);
        Assert.Equal(Start.AddSeconds(2), job.FinishedAt);
    }

    [Fact]
    public void Counts_by_reason_survive_the_table_column_round_trip()
    {
        var counts = new Dictionary<string, int> { [ReplaySkipReasons.NotVerified] = 3, [ReplaySkipReasons.BodyTruncated] = 12, ["zero"] = 0 };

        var text = ReplayJob.FormatCounts(counts);

        Assert.Equal("body_truncated=12;not_verified=3", text);
        Assert.Equal(new Dictionary<string, int> { [ReplaySkipReasons.BodyTruncated] = 12, [ReplaySkipReasons.NotVerified] = 3 }, ReplayJob.ParseCounts(text));
        Assert.Empty(ReplayJob.ParseCounts(null));
    }

    [Fact]
    public void A_failed_job_is_finished_and_keeps_what_it_had_done()
    {
        var job = ReplayJob.Create("a", Request, Start).After(Page(200, 200, "c1"), Start.AddSeconds(1));

        var failed = job.FailedWith("InvalidDataException", Start.AddSeconds(2));

        Assert.True(ReplayStates.IsFinished(failed.State));
        Assert.Equal(200, failed.Replayed);
        Assert.Equal("InvalidDataException", failed.Error);
    }

    [Theory]
    [InlineData("0190a1b2c3d4e5f60718293a4b5c6d7e:0", "0190a1b2c3d4e5f60718293a4b5c6d7e", 0)]
    [InlineData("0190a1b2c3d4e5f60718293a4b5c6d7e:17", "0190a1b2c3d4e5f60718293a4b5c6d7e", 17)]
    public void Work_messages_name_the_job_and_the_page(string text, string job, int page)
    {
        Assert.True(ReplayWork.TryParse(text, out var work));
        Assert.Equal(new ReplayWork(job, page), work);
        Assert.Equal(text, work.Value.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("0190a1b2c3d4e5f60718293a4b5c6d7e")]
    [InlineData("0190a1b2c3d4e5f60718293a4b5c6d7e:-1")]
    [InlineData("0190A1B2C3D4E5F60718293A4B5C6D7E:1")]
    [InlineData("../x:1")]
    public void Anything_else_is_not_a_work_message(string text)
    {
        Assert.False(ReplayWork.TryParse(text, out _));
    }
}
