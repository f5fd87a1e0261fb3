namespace Libromi.Gateway.Processing;

internal static class Backoff
{
    public static TimeSpan Exponential(TimeSpan baseDelay, int exponent, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Clamp(exponent, 0, 30));
        var ticks = Math.Min(baseDelay.Ticks * factor, max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>"Full jitter" between half and the whole exponential delay, so a burst of failures does not come back in lockstep.</summary>
    public static TimeSpan ExponentialWithJitter(TimeSpan baseDelay, int exponent, TimeSpan max)
    {
        var delay = Exponential(baseDelay, exponent, max);
        return delay * (0.5 + (Random.Shared.NextDouble() * 0.5));
    }
}
