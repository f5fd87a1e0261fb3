namespace Libromi.Gateway.Imports;

/// <summary>
/// How long Libromi calls take at the account's rate: at most <c>RequestsPerMinute</c> a minute and
/// <c>RequestsPerHour</c> an hour, with realtime work (which always goes first) ahead of the import's own.
/// </summary>
public static class ImportEta
{
    public static TimeSpan Estimate(long callsAhead, long ownCalls, int requestsPerMinute, int requestsPerHour)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerMinute);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerHour);
        var calls = Math.Max(0, callsAhead) + Math.Max(0, ownCalls);
        if (calls == 0 || ownCalls <= 0)
        {
            return TimeSpan.Zero;
        }
        // Each hour delivers at most the smaller of the two windows; what remains goes at the per-minute pace.
        var perHour = Math.Min((long)requestsPerHour, requestsPerMinute * 60L);
        var fullHours = calls / perHour;
        var remainder = calls % perHour;
        if (remainder == 0)
        {
            // The last call of a full hour goes early in it, not at its end.
            fullHours--;
            remainder = perHour;
        }
        return TimeSpan.FromHours(fullHours) + TimeSpan.FromMinutes((double)remainder / requestsPerMinute);
    }
}
