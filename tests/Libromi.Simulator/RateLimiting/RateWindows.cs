using System.Collections.Concurrent;

namespace Libromi.Simulator.RateLimiting;

/// <summary>Outcome of asking a token's windows for room: admitted, or refused until <see cref="RetryAfter"/> has passed.</summary>
public readonly record struct RateDecision(bool Admitted, TimeSpan RetryAfter)
{
    public static RateDecision Admit { get; } = new(true, TimeSpan.Zero);
}

/// <summary>
/// Per-token sliding windows of one minute and one hour. Libromi does not document whether its windows
/// are fixed or sliding; sliding is the stricter of the two for a client, so the simulator uses it.
/// Only admitted requests are counted: a refused attempt does not push the window further out.
/// </summary>
public sealed class RateWindows(SimulatorOptions options, SimulatorClock clock)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, TokenWindows> _windows = new(StringComparer.Ordinal);

    public RateDecision TryAcquire(string token)
    {
        var windows = _windows.GetOrAdd(token, static _ => new TokenWindows());
        var now = clock.UtcNow;
        lock (windows.Gate)
        {
            var retryAfter = TimeSpan.Zero;
            retryAfter = Max(retryAfter, TimeUntilRoom(windows.LastMinute, options.RequestsPerMinute, Minute, now));
            retryAfter = Max(retryAfter, TimeUntilRoom(windows.LastHour, options.RequestsPerHour, Hour, now));
            if (retryAfter > TimeSpan.Zero)
            {
                return new RateDecision(false, retryAfter);
            }

            windows.LastMinute.Enqueue(now);
            windows.LastHour.Enqueue(now);
            return RateDecision.Admit;
        }
    }

    /// <summary>Forgets every token's history.</summary>
    public void Reset() => _windows.Clear();

    // Drops arrivals that slid out of the window, then answers how long until the oldest one leaves
    // when the window is full (zero when there is room).
    private static TimeSpan TimeUntilRoom(Queue<DateTimeOffset> arrivals, int limit, TimeSpan length, DateTimeOffset now)
    {
        while (arrivals.Count > 0 && arrivals.Peek() <= now - length)
        {
            arrivals.Dequeue();
        }

        if (limit <= 0 || arrivals.Count < limit)
        {
            return TimeSpan.Zero;
        }

        return arrivals.Peek() + length - now;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed class TokenWindows
    {
        public Lock Gate { get; } = new();

        public Queue<DateTimeOffset> LastMinute { get; } = new();

        public Queue<DateTimeOffset> LastHour { get; } = new();
    }
}
