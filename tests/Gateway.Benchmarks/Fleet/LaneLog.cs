using Libromi.Gateway.Benchmarks.Harness;

namespace Libromi.Gateway.Benchmarks.Fleet;

/// <summary>
/// What the simulated Libromi saw of one lane (contact calls or scenario calls) during a shared drain: the arrival
/// time and identity of every call it answered 200, and every other answer, against that lane's own limit.
/// </summary>
internal sealed class LaneLog
{
    private readonly DateTimeOffset[] _accepted;
    private readonly DateTimeOffset[] _calls;

    /// <param name="accepted">Each call answered 200: when it arrived, and which operation it carried.</param>
    /// <param name="calls">Every call, whatever its answer.</param>
    public LaneLog(string lane, int limitPerMinute, int operations, IReadOnlyList<(DateTimeOffset At, string Operation)> accepted, IReadOnlyList<(DateTimeOffset At, int Status)> calls)
    {
        Lane = lane;
        LimitPerMinute = limitPerMinute;
        Operations = operations;
        _accepted = [.. accepted.Select(a => a.At).Order()];
        _calls = [.. calls.Select(c => c.At).Order()];
        RateLimited = calls.Count(c => c.Status == 429);
        OtherAnswers = calls.Count(c => c.Status is not (200 or 429));
        var perOperation = accepted.GroupBy(a => a.Operation).Select(g => g.Count()).ToList();
        DistinctDelivered = perOperation.Count;
        Duplicates = perOperation.Sum(n => n - 1);
    }

    public string Lane { get; }

    public int LimitPerMinute { get; }

    /// <summary>Operations the benchmark sent into this lane.</summary>
    public int Operations { get; }

    public int Delivered => _accepted.Length;

    /// <summary>Operations that reached Libromi at least once.</summary>
    public int DistinctDelivered { get; }

    /// <summary>Accepted calls beyond the first for the same operation.</summary>
    public int Duplicates { get; }

    public int RateLimited { get; }

    public int OtherAnswers { get; }

    /// <summary>Every operation arrived, none twice.</summary>
    public bool ExactlyOnce => DistinctDelivered == Operations && Duplicates == 0;

    public TimeSpan FirstToLast => Delivered > 1 ? _accepted[^1] - _accepted[0] : TimeSpan.Zero;

    /// <summary>
    /// Accepted calls a minute once the lane is flowing: (delivered − limit) / (last − first), because a sliding window
    /// starts empty and lets the first window's worth through at once (the same figure as the drain's, docs/benchmarks.md).
    /// </summary>
    public double SustainedPerMinute =>
        Delivered > LimitPerMinute && FirstToLast > TimeSpan.Zero ? (Delivered - LimitPerMinute) / FirstToLast.TotalMinutes : double.NaN;

    public double Ratio => SustainedPerMinute / LimitPerMinute;

    /// <summary>The most accepted calls in any sliding 60 s (must not exceed the lane's limit).</summary>
    public int MaxAcceptedInAnyMinute => SlidingMinute.MostInAnyMinute(_accepted);

    /// <summary>The same over every call, whatever its answer.</summary>
    public int MaxCallsInAnyMinute => SlidingMinute.MostInAnyMinute(_calls);
}
