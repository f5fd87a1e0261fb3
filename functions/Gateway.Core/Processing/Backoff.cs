namespace Libromi.Gateway.Processing;

internal static class Backoff
{
    public static TimeSpan Exponential(TimeSpan baseDelay, int exponent, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Clamp(exponent, 0, 30));
        var ticks = Math.Min(baseDelay.Ticks * factor, max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// "Full jitter" between half and the whole exponential delay, so a burst of failures does not come back in
    /// lockstep. <paramref name="jitter"/> in [0, 1) picks the point; the caller draws it, so the rule stays pure.
    /// </summary>
    public static TimeSpan ExponentialWithJitter(TimeSpan baseDelay, int exponent, TimeSpan max, double jitter) =>
        Exponential(baseDelay, exponent, max) * (0.5 + (Math.Clamp(jitter, 0, 1) * 0.5));
}
