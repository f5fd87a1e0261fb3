using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Libromi.Gateway.Trail;

/// <summary>
/// Where one operation or webhook delivery lives in the trail, computed from its id alone. Ids are version 7 GUIDs
/// (32 lowercase hex digits) whose first 48 bits are the Unix time in milliseconds at which the gateway received them,
/// so the id names its day, its hour and its place in the hour:
/// <list type="bullet">
/// <item>table <c>trail{yyyyMMdd}</c>, one per UTC day, so retention deletes a whole day in one request;</item>
/// <item>partition key: the UTC hour, inverted (<c>"23"</c> is 00:00), so a day reads newest hour first;</item>
/// <item>row key: a kind letter, then milliseconds left in the day (8 digits) and the id, so rows sort newest first.</item>
/// </list>
/// Index rows (by phone number, by source) sit in the same partition as the operation they point at, so the operation
/// and its index rows are written in one entity group transaction: one request.
/// </summary>
public readonly record struct TrailKey(DateTimeOffset At, string TableName, string PartitionKey, string Id)
{
    public const string TablePrefix = "trail";

    private const int IdLength = 32;
    private const long MillisecondsPerDay = 86_400_000;
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    /// <summary>Row key of the operation's summary row.</summary>
    public string OperationRow => $"o{Clock}-{Id}";

    /// <summary>Row key of the delivery's row.</summary>
    public string DeliveryRow => $"d{Clock}-{Id}";

    /// <summary>Row key of one Libromi call of the operation: after its summary row, before any older operation.</summary>
    public string CallRow(DateTimeOffset calledAt, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{OperationRow}|c{calledAt.UtcTicks:D19}{sequence:D3}");

    /// <summary>Row key of the index row that finds the operation by phone number (digits only).</summary>
    public string PhoneIndexRow(string phoneDigits) => $"p{phoneDigits}|{Clock}-{Id}";

    /// <summary>Row key of the index row that finds the operation by source (<c>api</c>, <c>hook:{name}</c>, <c>import:{id}</c>).</summary>
    public string SourceIndexRow(string source) => $"s{source}|{Clock}-{Id}";

    /// <summary>Milliseconds left in the UTC day of <see cref="At"/>, 8 digits: larger is earlier.</summary>
    private string Clock => ClockOf(At);

    /// <summary>Parses a gateway id (operation or delivery); anything else is refused.</summary>
    public static bool TryParse(string? id, [NotNullWhen(true)] out TrailKey? key)
    {
        key = null;
        if (id is null || id.Length != IdLength || id.AsSpan().ContainsAnyExcept(LowerHex) || id[12] != '7')
        {
            return false;
        }
        var milliseconds = long.Parse(id.AsSpan(0, 12), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }
        key = For(id, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds));
        return true;
    }

    /// <summary>A new id received at <paramref name="at"/>, and its key.</summary>
    public static TrailKey NewId(DateTimeOffset at) => For(Guid.CreateVersion7(at).ToString("N"), at);

    internal static TrailKey For(string id, DateTimeOffset at)
    {
        var utc = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
        return new TrailKey(utc, TableOf(utc), PartitionOf(utc), id);
    }

    internal static string TableOf(DateTimeOffset at) => TablePrefix + at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    internal static string PartitionOf(DateTimeOffset at) => (23 - at.UtcDateTime.Hour).ToString("D2", CultureInfo.InvariantCulture);

    internal static string ClockOf(DateTimeOffset at)
    {
        var intoDay = at.ToUnixTimeMilliseconds() % MillisecondsPerDay;
        return (MillisecondsPerDay - 1 - intoDay).ToString("D8", CultureInfo.InvariantCulture);
    }

    /// <summary>The UTC day a trail table holds, or null when <paramref name="tableName"/> is not a trail table.</summary>
    internal static DateOnly? DayOf(string tableName) =>
        tableName.StartsWith(TablePrefix, StringComparison.Ordinal)
        && DateOnly.TryParseExact(tableName.AsSpan(TablePrefix.Length), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : null;
}
