using System.Globalization;
using System.Text;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// Permits granted in one sliding window, counted per bucket (a second for the minute window, a minute for the
/// hour window) so the ledger stays small enough for one table entity. A bucket leaves once its latest stamp is a
/// whole window old; where the latest stamp is not known (a ledger written before it was recorded), the bucket's
/// end stands in for it. Eviction is therefore conservative: a count can only overstate what Libromi sees.
/// </summary>
internal sealed class BucketLog(int limit, TimeSpan window, TimeSpan bucketWidth)
{
    private readonly SortedDictionary<long, Bucket> _buckets = [];
    private readonly long _widthMs = (long)bucketWidth.TotalMilliseconds;
    private readonly long _windowMs = (long)window.TotalMilliseconds;

    public int Limit { get; } = limit;

    public int Count { get; private set; }

    /// <summary>Permits still grantable, keeping <paramref name="reserve"/> back.</summary>
    public int Available(int reserve) => Math.Max(0, Limit - reserve - Count);

    /// <summary>Whether a permit stamped at <paramref name="stampMs"/> no longer counts at <paramref name="nowMs"/>.</summary>
    public bool HasLeft(long stampMs, long nowMs) => stampMs + _windowMs <= nowMs;

    public void Evict(long nowMs)
    {
        while (_buckets.Count > 0)
        {
            var (key, oldest) = _buckets.First();
            if (!HasLeft(oldest.LatestMs, nowMs))
            {
                return;
            }
            Count -= oldest.Count;
            _buckets.Remove(key);
        }
    }

    public void Add(long stampMs, int permits)
    {
        var key = Key(stampMs);
        var bucket = _buckets.TryGetValue(key, out var existing)
            ? new Bucket(existing.Count + permits, Math.Max(existing.LatestMs, stampMs))
            : new Bucket(permits, stampMs);
        _buckets[key] = bucket;
        Count += permits;
    }

    /// <summary>
    /// Takes back permits that <see cref="Add"/> put at <paramref name="stampMs"/>, if their bucket is still in the
    /// window. The bucket keeps its latest stamp: other permits in it may have been stamped that late.
    /// </summary>
    public void Remove(long stampMs, int permits)
    {
        var key = Key(stampMs);
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            return;
        }
        var removed = Math.Min(permits, bucket.Count);
        Count -= removed;
        if (bucket.Count == removed)
        {
            _buckets.Remove(key);
        }
        else
        {
            _buckets[key] = bucket with { Count = bucket.Count - removed };
        }
    }

    /// <summary>When enough buckets will have left for <paramref name="needed"/> permits above <paramref name="reserve"/>; null if never.</summary>
    public long? FreesAt(long nowMs, int needed, int reserve)
    {
        var excess = Count + needed + reserve - Limit;
        if (excess <= 0)
        {
            return nowMs;
        }
        foreach (var bucket in _buckets.Values)
        {
            excess -= bucket.Count;
            if (excess <= 0)
            {
                return bucket.LatestMs + _windowMs;
            }
        }
        return null;
    }

    private long Key(long stampMs) => Math.DivRem(stampMs, _widthMs, out var remainder) - (remainder < 0 ? 1 : 0);

    private long End(long key) => (key + 1) * _widthMs;

    /// <summary>"bucket:count,bucket:count" in bucket order (the bucket is the stamp divided by the bucket width).</summary>
    public override string ToString() => Join(_buckets.Select(pair => (pair.Key, (long)pair.Value.Count)));

    /// <summary>"bucket:latestUnixMs,..." for the buckets whose latest stamp is earlier than their end; the others leave at their end.</summary>
    public string LatestStamps() => Join(_buckets.Where(pair => pair.Value.LatestMs < End(pair.Key)).Select(pair => (pair.Key, pair.Value.LatestMs)));

    /// <summary>Reads <see cref="ToString"/> and <see cref="LatestStamps"/>; a latest stamp outside its bucket is ignored.</summary>
    public void Load(string? counts, string? latestStamps)
    {
        var latest = Split(latestStamps).ToDictionary(pair => pair.Key, pair => pair.Value);
        foreach (var (key, count) in Split(counts))
        {
            var end = End(key);
            var stamp = latest.TryGetValue(key, out var known) && known >= key * _widthMs && known < end ? known : end;
            var existing = _buckets.GetValueOrDefault(key);
            _buckets[key] = new Bucket(existing.Count + (int)count, Math.Max(existing.LatestMs, stamp));
            Count += (int)count;
        }
    }

    private static string Join(IEnumerable<(long Key, long Value)> pairs)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            text.Append(text.Length == 0 ? "" : ",").Append(key.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value.ToString(CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    private static IEnumerable<(long Key, long Value)> Split(string? text)
    {
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            yield return (long.Parse(pair.AsSpan(0, colon), CultureInfo.InvariantCulture), long.Parse(pair.AsSpan(colon + 1), CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Permits in one bucket, and the latest stamp among them (the bucket's end when not known).</summary>
    private readonly record struct Bucket(int Count, long LatestMs);
}
