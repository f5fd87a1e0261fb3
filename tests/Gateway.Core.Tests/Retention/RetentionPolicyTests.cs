using Libromi.Gateway.Imports;
using Libromi.Gateway.Retention;

namespace Libromi.Gateway.Tests.Retention;

public sealed class RetentionPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    [Fact]
    public void Delivery_identity_expires_exactly_when_the_deduplicator_stops_counting_it()
    {
        Assert.False(RetentionPolicy.IsDeliveryExpired(Now - Window + TimeSpan.FromTicks(1), Now, Window));
        Assert.True(RetentionPolicy.IsDeliveryExpired(Now - Window, Now, Window));
        Assert.True(RetentionPolicy.IsDeliveryExpired(Now - TimeSpan.FromDays(3), Now, Window));
    }

    [Fact]
    public void Finished_import_is_deleted_once_its_last_row_is_older_than_the_retention()
    {
        var lastRow = Now - Retention - TimeSpan.FromMinutes(1);
        var import = Queued(Now - TimeSpan.FromDays(40), Chunk(50, 50, Now - TimeSpan.FromDays(35)), Chunk(20, 20, lastRow));

        Assert.Equal(ImportFate.Delete, RetentionPolicy.JudgeImport(import, Now, Retention));
    }

    [Fact]
    public void Finished_import_whose_last_row_is_recent_is_kept_however_old_the_upload()
    {
        var import = Queued(Now - TimeSpan.FromDays(90), Chunk(50, 50, Now - TimeSpan.FromDays(89)), Chunk(50, 50, Now - TimeSpan.FromDays(29)));

        Assert.Equal(ImportFate.KeepRecent, RetentionPolicy.JudgeImport(import, Now, Retention));
    }

    [Fact]
    public void Import_with_rows_left_in_any_chunk_is_kept_however_old()
    {
        var import = Queued(Now - TimeSpan.FromDays(200), Chunk(50, 50, Now - TimeSpan.FromDays(199)), Chunk(50, 49, Now - TimeSpan.FromDays(100)), Chunk(50, 0, null));

        Assert.Equal(ImportFate.KeepUnfinished, RetentionPolicy.JudgeImport(import, Now, Retention));
    }

    [Fact]
    public void Chunk_without_a_staged_row_count_counts_as_unfinished()
    {
        var import = Queued(Now - TimeSpan.FromDays(200), new ChunkFacts(null, 7, Now - TimeSpan.FromDays(100)));

        Assert.Equal(ImportFate.KeepUnfinished, RetentionPolicy.JudgeImport(import, Now, Retention));
    }

    [Fact]
    public void Upload_that_never_reached_queued_is_kept_while_a_chunk_may_still_be_in_the_queue()
    {
        var staged = new ImportFacts(ImportStatus.Receiving, Now - TimeSpan.FromDays(60), null, [Chunk(50, 0, null)]);
        var headerOnly = new ImportFacts(ImportStatus.Receiving, Now - TimeSpan.FromDays(60), null, []);
        var uploading = new ImportFacts(ImportStatus.Receiving, Now - TimeSpan.FromMinutes(1), null, []);

        Assert.Equal(ImportFate.KeepUnfinished, RetentionPolicy.JudgeImport(staged, Now, Retention));
        Assert.Equal(ImportFate.Delete, RetentionPolicy.JudgeImport(headerOnly, Now, Retention));
        Assert.Equal(ImportFate.KeepRecent, RetentionPolicy.JudgeImport(uploading, Now, Retention));
    }

    [Fact]
    public void Import_an_earlier_sweep_marked_expired_is_deleted_whatever_is_left_of_it()
    {
        var halfDeleted = new ImportFacts(ImportStatus.Expired, Now - TimeSpan.FromDays(40), Now - TimeSpan.FromDays(40), [Chunk(50, 3, Now)]);

        Assert.Equal(ImportFate.Delete, RetentionPolicy.JudgeImport(halfDeleted, Now, Retention));
    }

    [Fact]
    public void Import_finished_without_checkpoint_times_is_aged_from_when_it_was_queued()
    {
        var queuedAt = Now - TimeSpan.FromDays(31);

        Assert.Equal(ImportFate.Delete, RetentionPolicy.JudgeImport(new ImportFacts(ImportStatus.Queued, queuedAt, queuedAt, [Chunk(1, 1, null)]), Now, Retention));
        Assert.Equal(ImportFate.KeepRecent, RetentionPolicy.JudgeImport(new ImportFacts(ImportStatus.Queued, queuedAt, Now - TimeSpan.FromDays(1), [Chunk(1, 1, null)]), Now, Retention));
    }

    private static ImportFacts Queued(DateTimeOffset queuedAt, params ChunkFacts[] chunks) => new(ImportStatus.Queued, queuedAt, queuedAt, chunks);

    private static ChunkFacts Chunk(int rows, int processed, DateTimeOffset? lastAt) => new(rows, processed, lastAt);

    [Fact]
    public void Trail_day_goes_only_once_all_of_it_is_older_than_the_retention()
    {
        var day = new DateOnly(2026, 11, 20);
        var endOfDay = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);
        var retention = TimeSpan.FromDays(7);

        Assert.False(RetentionPolicy.IsTrailDayExpired(day, endOfDay + retention - TimeSpan.FromTicks(1), retention));
        Assert.True(RetentionPolicy.IsTrailDayExpired(day, endOfDay + retention, retention));
    }
}
