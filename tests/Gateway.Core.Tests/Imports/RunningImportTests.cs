using Libromi.Gateway.Imports;

namespace Libromi.Gateway.Tests.Imports;

public sealed class RunningImportTests
{
    private static readonly DateTimeOffset QueuedAt = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static RunningImportEntry Entry(int total, int chunks) => new("0195a0b0c0d0e0f00000000000000001", total, chunks, QueuedAt);

    [Fact]
    public void Import_with_nothing_finished_is_listed_as_queued_with_its_total()
    {
        var running = RunningImport.Judge(Entry(total: 120, chunks: 3), stagedChunks: 3, finishedRows: 0);

        Assert.Equal(("queued", 120, 0), (running!.Status, running.Total, running.Done));
    }

    [Fact]
    public void Import_with_rows_left_is_listed_as_delivering_with_the_rows_finished()
    {
        var running = RunningImport.Judge(Entry(total: 120, chunks: 3), stagedChunks: 3, finishedRows: 119);

        Assert.Equal(("delivering", 119), (running!.Status, running.Done));
    }

    [Fact]
    public void Import_whose_every_row_is_finished_is_no_longer_running()
    {
        Assert.Null(RunningImport.Judge(Entry(total: 120, chunks: 3), stagedChunks: 3, finishedRows: 120));
    }

    [Fact]
    public void Import_missing_some_of_its_chunks_is_gone_or_being_deleted_so_no_longer_running()
    {
        Assert.Null(RunningImport.Judge(Entry(total: 120, chunks: 3), stagedChunks: 2, finishedRows: 0));
        Assert.Null(RunningImport.Judge(Entry(total: 120, chunks: 3), stagedChunks: 0, finishedRows: 0));
    }

    [Fact]
    public void Entry_without_a_chunk_count_still_needs_a_chunk_to_be_running()
    {
        Assert.Null(RunningImport.Judge(Entry(total: 5, chunks: 0), stagedChunks: 0, finishedRows: 0));
        Assert.NotNull(RunningImport.Judge(Entry(total: 5, chunks: 0), stagedChunks: 1, finishedRows: 0));
    }

    [Fact]
    public void Index_row_keys_put_the_newest_import_first()
    {
        var ids = Enumerable.Range(0, 5)
            .Select(day => Guid.CreateVersion7(QueuedAt.AddDays(day)).ToString("N"))
            .ToList();

        var byRowKey = ids.OrderBy(RunningImportIndex.RowKeyOf, StringComparer.Ordinal);

        Assert.Equal(ids.AsEnumerable().Reverse(), byRowKey);
    }

    [Fact]
    public void Index_row_key_is_never_a_header_key_and_maps_back_to_the_id()
    {
        var id = Guid.CreateVersion7(QueuedAt).ToString("N");

        var key = RunningImportIndex.RowKeyOf(id);

        Assert.Equal(32, key.Length);
        Assert.NotEqual(ImportTable.HeaderKey, key);
        Assert.Equal(id, RunningImportIndex.RowKeyOf(key));
        Assert.Equal("fedcba9876543210", RunningImportIndex.RowKeyOf("0123456789abcdef"));
    }
}
