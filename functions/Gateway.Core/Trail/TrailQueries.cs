using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Libromi.Gateway.Trail;

/// <summary>A search of the trail: a time window (newest first), at most one index (phone or source), and filters.</summary>
public sealed record OperationQuery(
    DateTimeOffset Since,
    DateTimeOffset Until,
    int Limit,
    string? PhoneDigits = null,
    string? Source = null,
    string? State = null,
    TrailCursor? Cursor = null)
{
    /// <summary>Reads index rows (phone number, else source) rather than summaries.</summary>
    public bool IsIndexRead => PhoneDigits is not null || Source is not null;

    /// <summary>What the service could not filter: the state of indexed hits, the source of hits found by phone.</summary>
    public bool Matches(OperationView view) =>
        (State is null || view.State == State)
        && (Source is null || view.Source.Raw == Source)
        && (PhoneDigits is null || view.PhoneNumber == PhoneDigits);
}

/// <summary>Where a search page stopped: the hour partition and the last row key returned.</summary>
public readonly record struct TrailCursor(DateTimeOffset Hour, string RowKey)
{
    private const string HourFormat = "yyyyMMddHH";

    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
        Hour.UtcDateTime.ToString(HourFormat, CultureInfo.InvariantCulture) + "." + RowKey));

    public static bool TryDecode(string text, out TrailCursor cursor)
    {
        cursor = default;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
        }
        catch (FormatException)
        {
            return false;
        }
        var dot = decoded.IndexOf('.', StringComparison.Ordinal);
        if (dot != HourFormat.Length || decoded.Length == dot + 1
            || !DateTime.TryParseExact(decoded.AsSpan(0, dot), HourFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var hour))
        {
            return false;
        }
        cursor = new TrailCursor(new DateTimeOffset(hour, TimeSpan.Zero), decoded[(dot + 1)..]);
        return true;
    }
}

/// <summary>The hour partitions a window covers, newest first.</summary>
public static class TrailHours
{
    public static IEnumerable<DateTimeOffset> Between(DateTimeOffset since, DateTimeOffset until, DateTimeOffset? startAt = null)
    {
        var first = Floor(startAt is { } resume && resume < until ? resume : until);
        var last = Floor(since);
        for (var hour = first; hour >= last; hour = hour.AddHours(-1))
        {
            yield return hour;
        }
    }

    public static DateTimeOffset Floor(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }
}
