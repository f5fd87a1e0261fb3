namespace Libromi.Gateway.Figures;

/// <summary>
/// What one instance counted for one integration in one UTC hour: deliveries received, refused ones by the delivery
/// log's outcome (<c>unverified</c>, <c>malformed</c>, <c>duplicate</c>, ...), operations delivered and dead-lettered,
/// and the last error as a fixed reason class (never a body, header or Libromi answer, which could quote a secret).
/// </summary>
public sealed record HourFigures(
    string Integration,
    DateTimeOffset Hour,
    long Received,
    IReadOnlyDictionary<string, long> Refused,
    long Delivered,
    long DeadLettered,
    DateTimeOffset? LastErrorAt,
    string? LastError);

/// <summary>The UTC hour an instant falls in: counters are kept per hour, so a window moves an hour at a time.</summary>
public static class FigureHours
{
    /// <summary>Hours a figures window covers: the current hour and the 23 before it.</summary>
    public const int WindowHours = 24;

    public static DateTimeOffset Of(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <summary>The first hour of the window that ends now: 23 whole hours and the running one.</summary>
    public static DateTimeOffset WindowStart(DateTimeOffset now) => Of(now).AddHours(-(WindowHours - 1));
}
