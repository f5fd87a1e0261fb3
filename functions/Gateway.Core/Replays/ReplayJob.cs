using System.Globalization;

namespace Libromi.Gateway.Replays;

/// <summary>Where a replay job stands.</summary>
public static class ReplayStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";

    public static bool IsFinished(string state) => state is Completed or Failed;
}

/// <summary>Why an item matched by a replay was not replayed; the job counts each reason.</summary>
public static class ReplaySkipReasons
{
    /// <summary>A dead letter whose message could not be read: there is no operation to put back.</summary>
    public const string Unreadable = "unreadable";

    /// <summary>The delivery log cut the body at <c>Trail__MaxBodyBytes</c>: mapping a part would be wrong.</summary>
    public const string BodyTruncated = "body_truncated";

    /// <summary>The delivery log holds no body (too large to read, or the log was off for it).</summary>
    public const string NoBody = "no_body";

    /// <summary>The delivery failed verification (or was never checked): replaying it would let a forged delivery in.</summary>
    public const string NotVerified = "not_verified";

    /// <summary>Another replay job has replayed this delivery already.</summary>
    public const string AlreadyReplayed = "already_replayed";

    /// <summary>Every item of the delivery was enqueued before (the webhook deduplication window still remembers it).</summary>
    public const string Duplicate = "duplicate";

    /// <summary>The integration is no longer in the integrations file.</summary>
    public const string UnknownIntegration = "unknown_integration";
}

/// <summary>What one page of a replay came to; <see cref="NextCursor"/> is null once the filter has nothing more.</summary>
public sealed record ReplayPageResult(int Matched, int Replayed, IReadOnlyDictionary<string, int> Skipped, IReadOnlyDictionary<string, int> Failed, string? NextCursor);

/// <summary>
/// A replay job as stored: its request, its progress so far and the cursor the next page starts from. <see cref="Page"/>
/// counts pages done; a work message names the page it continues, so a message delivered twice finds the job moved on and
/// does nothing.
/// </summary>
public sealed record ReplayJob(
    string Id,
    ReplayRequest Request,
    string State,
    int Page,
    string? Cursor,
    int Matched,
    int Replayed,
    IReadOnlyDictionary<string, int> Skipped,
    IReadOnlyDictionary<string, int> Failed,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error)
{
    public static ReplayJob Create(string id, ReplayRequest request, DateTimeOffset now) =>
        new(id, request, ReplayStates.Queued, 0, null, 0, 0, Empty, Empty, now, null, null, null);

    private static readonly IReadOnlyDictionary<string, int> Empty = new Dictionary<string, int>();

    /// <summary>The job after <paramref name="page"/>: counts added, the cursor moved on, completed when no cursor is left.</summary>
    public ReplayJob After(ReplayPageResult page, DateTimeOffset now) => this with
    {
        State = page.NextCursor is null ? ReplayStates.Completed : ReplayStates.Running,
        Page = Page + 1,
        Cursor = page.NextCursor,
        Matched = Matched + page.Matched,
        Replayed = Replayed + page.Replayed,
        Skipped = Add(Skipped, page.Skipped),
        Failed = Add(Failed, page.Failed),
        StartedAt = StartedAt ?? now,
        FinishedAt = page.NextCursor is null ? now : null,
    };

    /// <summary>The job stopped for good by a fault that retrying the page will not cure.</summary>
    public ReplayJob FailedWith(string error, DateTimeOffset now) =>
        this with { State = ReplayStates.Failed, StartedAt = StartedAt ?? now, FinishedAt = now, Error = error };

    public int SkippedTotal => Skipped.Values.Sum();

    public int FailedTotal => Failed.Values.Sum();

    private static Dictionary<string, int> Add(IReadOnlyDictionary<string, int> total, IReadOnlyDictionary<string, int> more)
    {
        var sum = new Dictionary<string, int>(total, StringComparer.Ordinal);
        foreach (var (reason, count) in more)
        {
            sum[reason] = sum.GetValueOrDefault(reason) + count;
        }
        return sum;
    }

    /// <summary>Counts by reason as one table column: <c>reason=count</c> pairs joined by <c>;</c>, reasons in order.</summary>
    public static string FormatCounts(IReadOnlyDictionary<string, int> counts) =>
        string.Join(";", counts.Where(c => c.Value != 0).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value.ToString(CultureInfo.InvariantCulture)}"));

    public static IReadOnlyDictionary<string, int> ParseCounts(string? text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.LastIndexOf('=');
            if (equals > 0 && int.TryParse(pair.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                counts[pair[..equals]] = count;
            }
        }
        return counts;
    }
}

/// <summary>Tallies one page while it is worked through.</summary>
public sealed class ReplayTally
{
    private readonly Dictionary<string, int> _skipped = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _failed = new(StringComparer.Ordinal);

    public int Matched { get; private set; }

    public int Replayed { get; private set; }

    public void Match() => Matched++;

    public void Replay() => Replayed++;

    public void Skip(string reason) => _skipped[reason] = _skipped.GetValueOrDefault(reason) + 1;

    public void Fail(string reason) => _failed[reason] = _failed.GetValueOrDefault(reason) + 1;

    public IReadOnlyDictionary<string, int> Skipped => _skipped;

    public ReplayPageResult ToPage(string? nextCursor) => new(Matched, Replayed, new Dictionary<string, int>(_skipped), new Dictionary<string, int>(_failed), nextCursor);
}
