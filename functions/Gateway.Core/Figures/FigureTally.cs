using System.Collections.Concurrent;

namespace Libromi.Gateway.Figures;

/// <summary>
/// This instance's counts per integration and UTC hour, kept in memory so counting costs no storage request. Each
/// bucket holds the instance's running totals for its hour; <see cref="TakeChanged"/> hands the changed ones to the
/// flusher, which writes them whole over the instance's own row (so a repeated or retried write never counts twice).
/// </summary>
public sealed class FigureTally
{
    private readonly ConcurrentDictionary<(string Integration, DateTimeOffset Hour), Bucket> _buckets = new();

    /// <summary>Hourly buckets held in memory (tests).</summary>
    internal int Buckets => _buckets.Count;

    /// <summary>A webhook delivery answered with <paramref name="outcome"/> (a <c>DeliveryOutcomes</c> name).</summary>
    public void CountDelivery(string integration, string outcome, string? reasonCode, DateTimeOffset at)
    {
        var bucket = BucketOf(integration, at);
        lock (bucket)
        {
            bucket.Received++;
            if (outcome != Trail.DeliveryOutcomes.Accepted)
            {
                bucket.Refused[outcome] = bucket.Refused.GetValueOrDefault(outcome) + 1;
                // A duplicate is the sender retrying, not something going wrong.
                if (outcome != Trail.DeliveryOutcomes.Duplicate)
                {
                    bucket.NoteError(at, reasonCode is null ? $"delivery {outcome}" : $"delivery {outcome} ({reasonCode})");
                }
            }
            bucket.Changed = true;
        }
    }

    /// <summary>Every step of an operation from <paramref name="integration"/> reached Libromi.</summary>
    public void CountDelivered(string integration, DateTimeOffset at)
    {
        var bucket = BucketOf(integration, at);
        lock (bucket)
        {
            bucket.Delivered++;
            bucket.Changed = true;
        }
    }

    /// <summary>An operation from <paramref name="integration"/> was dead-lettered: <paramref name="reasonClass"/> and Libromi's status code, nothing it said.</summary>
    public void CountDeadLettered(string integration, string reasonClass, int? statusCode, DateTimeOffset at)
    {
        var bucket = BucketOf(integration, at);
        lock (bucket)
        {
            bucket.DeadLettered++;
            bucket.NoteError(at, statusCode is { } status ? $"dead-lettered {reasonClass} (HTTP {status})" : $"dead-lettered {reasonClass}");
            bucket.Changed = true;
        }
    }

    /// <summary>The running totals of every bucket counted since the last call, marked as taken.</summary>
    public IReadOnlyList<HourFigures> TakeChanged()
    {
        var changed = new List<HourFigures>();
        foreach (var ((integration, hour), bucket) in _buckets)
        {
            lock (bucket)
            {
                if (bucket.Changed)
                {
                    bucket.Changed = false;
                    changed.Add(bucket.ToFigures(integration, hour));
                }
            }
        }
        return changed;
    }

    /// <summary>Marks <paramref name="unwritten"/> changed again, so the next flush writes them (their totals only grew meanwhile).</summary>
    public void Restore(IEnumerable<HourFigures> unwritten)
    {
        foreach (var figures in unwritten)
        {
            if (_buckets.TryGetValue((figures.Integration, figures.Hour), out var bucket))
            {
                lock (bucket)
                {
                    bucket.Changed = true;
                }
            }
        }
    }

    /// <summary>
    /// Drops written buckets of hours before the one preceding <paramref name="now"/>: nothing counts into them any more
    /// (the previous hour is kept for counts that arrive a little late), and their rows hold their totals.
    /// </summary>
    public void ForgetWrittenBefore(DateTimeOffset now)
    {
        var keepFrom = FigureHours.Of(now).AddHours(-1);
        foreach (var (key, bucket) in _buckets)
        {
            if (key.Hour < keepFrom)
            {
                lock (bucket)
                {
                    if (!bucket.Changed)
                    {
                        _buckets.TryRemove(key, out _);
                    }
                }
            }
        }
    }

    private Bucket BucketOf(string integration, DateTimeOffset at) => _buckets.GetOrAdd((integration, FigureHours.Of(at)), _ => new Bucket());

    private sealed class Bucket
    {
        public long Received;
        public long Delivered;
        public long DeadLettered;
        public DateTimeOffset? LastErrorAt;
        public string? LastError;
        public bool Changed;
        public Dictionary<string, long> Refused { get; } = new(StringComparer.Ordinal);

        public void NoteError(DateTimeOffset at, string reason)
        {
            if (LastErrorAt is null || at >= LastErrorAt)
            {
                LastErrorAt = at;
                LastError = reason;
            }
        }

        public HourFigures ToFigures(string integration, DateTimeOffset hour) =>
            new(integration, hour, Received, new Dictionary<string, long>(Refused, StringComparer.Ordinal), Delivered, DeadLettered, LastErrorAt, LastError);
    }
}
