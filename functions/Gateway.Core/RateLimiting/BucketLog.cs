using System.Globalization;
using System.Text;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// Permits granted in one sliding window, counted per bucket (a second for the minute window, a minute for the
/// hour window) so the ledger stays small enough for one table entity. Eviction is conservative: a bucket
/// leaves only when its whole span is older than the window, so a count can only overstate what Libromi sees.
/// </summary>
internal sealed class BucketLog(int limit, TimeSpan window, TimeSpan bucketWidth)
{
    private readonly SortedDictionary<long, int> _buckets = [];
    private readonly long _widthMs = (long)bucketWidth.TotalMilliseconds;
    private readonly long _windowMs = (long)window.TotalMilliseconds;

    public int Limit { get; } = limit;

    public int Count { get; private set; }

    /// <summary>Permits still grantable, keeping <paramref name="reserve"/> back.</summary>
    public int Available(int reserve) => Math.Max(0, Limit - reserve - Count);

    public void Evict(long nowMs)
    {
        while (_buckets.Count > 0 && LeavesAt(_buckets.First().Key) <= nowMs)
        {
            var oldest = _buckets.First();
            Count -= oldest.Value;
            _buckets.Remove(oldest.Key);
        }
    }

    public void Add(long stampMs, int permits)
    {
        var bucket = Math.DivRem(stampMs, _widthMs, out var remainder) - (remainder < 0 ? 1 : 0);
        _buckets[bucket] = _buckets.GetValueOrDefault(bucket) + permits;
        Count += permits;
    }

    /// <summary>When enough buckets will have left for <paramref name="needed"/> permits above <paramref name="reserve"/>; null if never.</summary>
    public long? FreesAt(long nowMs, int needed, int reserve)
    {
        var excess = Count + needed + reserve - Limit;
        if (excess <= 0)
        {
            return nowMs;
        }
        foreach (var (bucket, count) in _buckets)
        {
            excess -= count;
            if (excess <= 0)
            {
                return LeavesAt(bucket);
            }
        }
        return null;
    }

    private long LeavesAt(long bucket) => ((bucket + 1) * _widthMs) + _windowMs;

    /// <summary>"bucket:count,bucket:count" in bucket order.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (bucket, count) in _buckets)
        {
            text.Append(text.Length == 0 ? "" : ",").Append(bucket.ToString(CultureInfo.InvariantCulture)).Append(':').Append(count.ToString(CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    public void Load(string? text)
    {
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            var bucket = long.Parse(pair.AsSpan(0, colon), CultureInfo.InvariantCulture);
            var count = int.Parse(pair.AsSpan(colon + 1), CultureInfo.InvariantCulture);
            _buckets[bucket] = _buckets.GetValueOrDefault(bucket) + count;
            Count += count;
        }
    }
}
