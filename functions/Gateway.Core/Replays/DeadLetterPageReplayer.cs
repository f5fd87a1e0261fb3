using Libromi.Gateway.DeadLetters;

namespace Libromi.Gateway.Replays;

/// <summary>
/// Replays dead letters page by page through <see cref="DeadLetterReplayer"/>, the one-by-one replay of
/// <c>POST /api/dead-letters/{id}/replay</c>. A replayed dead letter is deleted, so a page worked twice finds it gone; and a
/// dead letter holds only the steps not yet delivered (the processor keeps the remaining steps when it gives up), so a
/// replay never repeats a step Libromi has taken.
/// </summary>
public sealed class DeadLetterPageReplayer(DeadLetterStore store, DeadLetterReplayer replayer)
{
    public async Task<ReplayPageResult> ReplayPageAsync(ReplayJob job, int pageSize, CancellationToken cancellationToken)
    {
        var filter = job.Request.DeadLetters ?? throw new InvalidOperationException($"Job {job.Id} does not replay dead letters.");
        // The cursor is the table's continuation (the key after the page): deleting the page's rows does not move it.
        var (entries, next) = await store.ListAsync(filter, pageSize, job.Cursor, cancellationToken).ConfigureAwait(false);
        var tally = new ReplayTally();
        foreach (var entry in entries)
        {
            tally.Match();
            if (await replayer.ReplayAsync(entry, cancellationToken).ConfigureAwait(false) == ReplayResult.Replayed)
            {
                tally.Replay();
            }
            else
            {
                tally.Skip(ReplaySkipReasons.Unreadable);
            }
        }
        return tally.ToPage(next);
    }

    /// <summary>Counts what a job with <paramref name="filter"/> would find; nothing is replayed.</summary>
    public async Task<ReplayPageResult> CountAsync(DeadLetterFilter filter, CancellationToken cancellationToken)
    {
        var tally = new ReplayTally();
        await foreach (var entry in store.ReadAllAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            tally.Match();
            if (entry.Record.Envelope is null)
            {
                tally.Skip(ReplaySkipReasons.Unreadable);
            }
            else
            {
                tally.Replay();
            }
        }
        return tally.ToPage(null);
    }
}
