namespace Libromi.Gateway.Imports;

/// <summary>
/// The running imports the status page lists, at a cost per poll that does not grow with the imports table: one query
/// for the newest entries of <see cref="RunningImportIndex"/>, then, for each entry shown, its chunks' checkpoints (a
/// projection without payloads, one page per 1,000 chunks; no header, no failed rows). An entry whose import finished,
/// or whose partition is gone or being deleted, is unlisted on the way.
/// </summary>
public sealed class RunningImports(ImportTable table, RunningImportIndex index)
{
    /// <summary>Index entries read per poll: the ones checked and shown, and up to this many in all to count the rest.</summary>
    public const int ReadAtMost = 100;

    public async Task<RunningImportsView> ReadAsync(int shownAtMost, CancellationToken cancellationToken)
    {
        var entries = await index.ReadNewestAsync(ReadAtMost, cancellationToken).ConfigureAwait(false);
        var checkedNow = entries.Take(shownAtMost).ToList();
        var running = await Task.WhenAll(checkedNow.Select(entry => CheckAsync(entry, cancellationToken))).ConfigureAwait(false);
        return new RunningImportsView([.. running.OfType<RunningImport>()], entries.Count - checkedNow.Count);
    }

    private async Task<RunningImport?> CheckAsync(RunningImportEntry entry, CancellationToken cancellationToken)
    {
        var stagedChunks = 0;
        long finishedRows = 0;
        await foreach (var chunk in table.ReadChunkProgressAsync(entry.ImportId, cancellationToken).ConfigureAwait(false))
        {
            stagedChunks += chunk.GetInt32("Rows") is null ? 0 : 1;
            finishedRows += ImportTable.FinishedRowsOf(chunk);
        }
        if (RunningImport.Judge(entry, stagedChunks, finishedRows) is { } running)
        {
            return running;
        }
        await index.RemoveAsync(entry.ImportId, cancellationToken).ConfigureAwait(false);
        return null;
    }
}

/// <summary>An import with rows left: its accepted rows, and how many are finished (delivered or failed) so far.</summary>
public sealed record RunningImport(string ImportId, int Total, int Done, DateTimeOffset? QueuedAt)
{
    /// <summary>As in the progress document: <c>queued</c> until the first row finishes, then <c>delivering</c>.</summary>
    public string Status => Done == 0 ? ImportStatus.Queued : ImportStatus.Delivering;

    /// <summary>
    /// Judges an index entry by its chunks alone. Running while rows are left. Not running once every row is finished,
    /// nor when fewer chunks are staged than were queued: every chunk is staged before the import is queued and stays
    /// until the retention sweep deletes the partition (chunks first, header last), so the import is gone or going.
    /// </summary>
    /// <param name="stagedChunks">Chunk rows that still hold their row count.</param>
    /// <param name="finishedRows">Rows finished over those chunks, each chunk counting at most its rows.</param>
    public static RunningImport? Judge(RunningImportEntry entry, int stagedChunks, long finishedRows) =>
        stagedChunks < Math.Max(1, entry.Chunks) || finishedRows >= entry.Total
            ? null
            : new RunningImport(entry.ImportId, entry.Total, (int)finishedRows, entry.QueuedAt);
}

/// <summary>The running imports shown, and how many more entries the index lists beyond those checked.</summary>
public sealed record RunningImportsView(IReadOnlyList<RunningImport> Shown, int NotShown);
