using Libromi.Gateway.Benchmarks.Harness;
using Libromi.Simulator.Inspection;

namespace Libromi.Gateway.Benchmarks.Pipeline;

/// <summary>
/// What Libromi (the simulator) saw during a drain: calls answered 200 (deliveries) and 429, their times, and
/// the figures the rate-limit targets are about.
/// </summary>
internal sealed class DeliveryLog(IReadOnlyList<RecordedRequest> requests, int limitPerMinute)
{
    private readonly DateTimeOffset[] _delivered = [.. requests.Where(r => r.StatusCode == 200).Select(r => r.ReceivedAt).Order()];

    public int Delivered => _delivered.Length;

    public int RateLimited => requests.Count(r => r.StatusCode == 429);

    public int OtherAnswers => requests.Count(r => r.StatusCode is not (200 or 429));

    public TimeSpan FirstToLast => Delivered > 1 ? _delivered[^1] - _delivered[0] : TimeSpan.Zero;

    /// <summary>
    /// Deliveries a minute once the backlog is flowing. A sliding window starts empty, so the first window's worth
    /// goes out at once for free; every call after it had to wait for the window. Hence
    /// (delivered − limit) / (last − first): exactly the limiter's ceiling for a gateway that uses every permit the
    /// moment it frees up, and lower by whatever the gateway loses in between.
    /// </summary>
    public double SustainedPerMinute =>
        Delivered > limitPerMinute && FirstToLast > TimeSpan.Zero ? (Delivered - limitPerMinute) / FirstToLast.TotalMinutes : double.NaN;

    /// <summary>The most calls Libromi answered 200 in any 60-second sliding window (must not exceed the limit).</summary>
    public int MaxDeliveredInAnyMinute => SlidingMinute.MostInAnyMinute(_delivered);

    /// <summary>The same over every call, whatever its answer: what the gateway asked of the account.</summary>
    public int MaxCallsInAnyMinute => SlidingMinute.MostInAnyMinute([.. requests.Select(r => r.ReceivedAt).Order()]);
}
