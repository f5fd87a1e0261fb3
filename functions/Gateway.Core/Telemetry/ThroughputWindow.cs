namespace Libromi.Gateway.Telemetry;

/// <summary>
/// Counts of this instance's last hour in 10-second buckets: requests sent to Libromi (permits spent),
/// operations delivered and dead-lettered. Feeds the status page's chart and rate-limit gauge without a
/// metrics backend. Per instance: several instances each show their own share.
/// </summary>
public sealed class ThroughputWindow
{
    public static readonly TimeSpan BucketLength = TimeSpan.FromSeconds(10);
    private const int BucketCount = 360;

    private readonly Lock _gate = new();
    private readonly Bucket[] _buckets = new Bucket[BucketCount];

    public void RecordRequest(DateTimeOffset at) => Add(at, static (ref Bucket b) => b.Requests++);

    public void RecordDelivered(DateTimeOffset at) => Add(at, static (ref Bucket b) => b.Delivered++);

    public void RecordDeadLettered(DateTimeOffset at) => Add(at, static (ref Bucket b) => b.DeadLettered++);

    public long RequestsSince(DateTimeOffset since)
    {
        var first = Index(since);
        lock (_gate)
        {
            return _buckets.Where(b => b.Index >= first).Sum(b => b.Requests);
        }
    }

    /// <summary>Per-minute totals of the last <paramref name="minutes"/> minutes, oldest first, the current minute last.</summary>
    public IReadOnlyList<ThroughputPoint> PerMinute(DateTimeOffset now, int minutes)
    {
        var currentMinute = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var points = new ThroughputPoint[minutes];
        lock (_gate)
        {
            for (var i = 0; i < minutes; i++)
            {
                var start = currentMinute.AddMinutes(i - minutes + 1);
                long from = Index(start), to = Index(start.AddMinutes(1));
                var inMinute = _buckets.Where(b => b.Index >= from && b.Index < to).ToList();
                points[i] = new ThroughputPoint(start, inMinute.Sum(b => b.Delivered), inMinute.Sum(b => b.DeadLettered), inMinute.Sum(b => b.Requests));
            }
        }
        return points;
    }

    private delegate void Increment(ref Bucket bucket);

    private void Add(DateTimeOffset at, Increment increment)
    {
        var index = Index(at);
        lock (_gate)
        {
            ref var bucket = ref _buckets[index % BucketCount];
            if (bucket.Index != index)
            {
                bucket = new Bucket { Index = index };
            }
            increment(ref bucket);
        }
    }

    private static long Index(DateTimeOffset at) => at.UtcTicks / BucketLength.Ticks;

    private struct Bucket
    {
        public long Index;
        public long Requests;
        public long Delivered;
        public long DeadLettered;
    }
}

public sealed record ThroughputPoint(
    DateTimeOffset Minute,
    long Delivered,
    long DeadLettered,
    long Requests);
