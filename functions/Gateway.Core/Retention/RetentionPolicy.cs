using Libromi.Gateway.Imports;

namespace Libromi.Gateway.Retention;

/// <summary>What the sweep may delete: the rules alone, apart from storage.</summary>
public static class RetentionPolicy
{
    /// <summary>
    /// A delivery identity recorded at or before this instant no longer counts as seen
    /// (<see cref="Webhooks.DeliveryDeduplicator.FindSeenAsync"/> counts only <c>SeenAt</c> after it), so its row only costs storage.
    /// </summary>
    public static DateTimeOffset DeliveriesExpireAtOrBefore(DateTimeOffset now, TimeSpan deduplicationWindow) => now - deduplicationWindow;

    public static bool IsDeliveryExpired(DateTimeOffset seenAt, DateTimeOffset now, TimeSpan deduplicationWindow) =>
        seenAt <= DeliveriesExpireAtOrBefore(now, deduplicationWindow);

    /// <summary>
    /// A trail day table may go once the last instant of its UTC day is older than <paramref name="retention"/>: every
    /// operation and delivery in it was received that day.
    /// </summary>
    public static bool IsTrailDayExpired(DateOnly day, DateTimeOffset now, TimeSpan retention) =>
        new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) <= now - retention;

    /// <summary>
    /// Hourly figure rows of hours before this one may go: the figures route reads 24 hours, and a day more leaves the
    /// rows of an instance whose clock runs a little behind.
    /// </summary>
    public static DateTimeOffset FiguresExpireBefore(DateTimeOffset now) => Figures.FigureHours.WindowStart(now).AddHours(-24);

    /// <summary>Only imports received at or before this instant can have finished longer than <paramref name="retention"/> ago.</summary>
    public static DateTimeOffset ImportsReceivedAtOrBefore(DateTimeOffset now, TimeSpan retention) => now - retention;

    /// <summary>
    /// Whether an import's partition may go. Never while a chunk has rows left: its message is still queued or held, and
    /// the processor needs the chunk's checkpoint to resume it. An upload that never reached "queued" (a crash between
    /// sending and marking it queued) is judged by its chunks the same way, since some of them may have been sent.
    /// </summary>
    public static ImportFate JudgeImport(ImportFacts import, DateTimeOffset now, TimeSpan retention)
    {
        if (import.Status == ImportStatus.Expired)
        {
            return ImportFate.Delete; // an earlier sweep decided and was cut short
        }
        if (import.Chunks.Any(chunk => chunk.Rows is not { } rows || chunk.Processed < rows))
        {
            return ImportFate.KeepUnfinished;
        }
        var finishedAt = import.Chunks.Select(chunk => chunk.LastAt).Max() ?? import.QueuedAt ?? import.ReceivedAt;
        return finishedAt <= now - retention ? ImportFate.Delete : ImportFate.KeepRecent;
    }
}

/// <summary>What the sweep reads of one import: its header's status and times, and every chunk's checkpoint.</summary>
public sealed record ImportFacts(string Status, DateTimeOffset ReceivedAt, DateTimeOffset? QueuedAt, IReadOnlyList<ChunkFacts> Chunks);

/// <summary>A chunk's staged row count (null when the chunk was never staged) and how many of its rows are finished.</summary>
public sealed record ChunkFacts(int? Rows, int Processed, DateTimeOffset? LastAt);

public enum ImportFate
{
    /// <summary>A chunk has rows left: still delivering, or an upload whose chunks may not all have been sent.</summary>
    KeepUnfinished,

    /// <summary>Finished less than the retention ago: its progress stays readable.</summary>
    KeepRecent,

    /// <summary>Finished longer than the retention ago, or already being deleted.</summary>
    Delete,
}
