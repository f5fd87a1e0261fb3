using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Libromi.Gateway.DeadLetters;

/// <summary>
/// Where a dead letter lives in the <c>deadletters</c> table, and its public id. The id is the row key:
/// the dead-letter time as inverted ticks (19 digits) then a random suffix, so rows sort newest first
/// (Azure's log-tail pattern) and two failures of one operation never collide. The partition is the
/// inverted UTC day, derived from the same ticks, so an id alone locates its row and a time range maps to
/// a key range.
/// </summary>
public readonly record struct DeadLetterKey(string PartitionKey, string RowKey)
{
    private const int TickDigits = 19;
    private const int SuffixLength = 32;
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public string Id => RowKey;

    public static DeadLetterKey Create(DateTimeOffset deadLetteredAt)
    {
        var inverted = InvertedTicks(deadLetteredAt);
        return new DeadLetterKey(PartitionOf(inverted), string.Concat(inverted.ToString("D19", CultureInfo.InvariantCulture), "-", Guid.NewGuid().ToString("N")));
    }

    /// <summary>Parses an id from a URL; anything that is not an id this store made is refused.</summary>
    public static bool TryParse(string? id, [NotNullWhen(true)] out DeadLetterKey? key)
    {
        key = null;
        if (id is null || id.Length != TickDigits + 1 + SuffixLength || id[TickDigits] != '-'
            || id.AsSpan(TickDigits + 1).ContainsAnyExcept(LowerHex))
        {
            return false;
        }
        if (!long.TryParse(id.AsSpan(0, TickDigits), NumberStyles.None, CultureInfo.InvariantCulture, out var inverted)
            || inverted > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }
        key = new DeadLetterKey(PartitionOf(inverted), id);
        return true;
    }

    /// <summary>The smallest row key a dead letter at or before <paramref name="at"/> can have.</summary>
    internal static string RowKeyFloor(DateTimeOffset at) => InvertedTicks(at).ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>A row key above every row key of dead letters at or after <paramref name="at"/>.</summary>
    internal static string RowKeyCeiling(DateTimeOffset at) => InvertedTicks(at).ToString("D19", CultureInfo.InvariantCulture) + "~";

    internal static string PartitionOf(DateTimeOffset at) => PartitionOf(InvertedTicks(at));

    private static long InvertedTicks(DateTimeOffset at) => DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks;

    // DateTimeOffset.MaxValue.UtcTicks is one tick short of a whole day, so inverted ticks / ticks per day
    // is exactly (last day number - UTC day number): one partition per UTC day, newest day first.
    private static string PartitionOf(long invertedTicks) => (invertedTicks / TimeSpan.TicksPerDay).ToString("D7", CultureInfo.InvariantCulture);
}
