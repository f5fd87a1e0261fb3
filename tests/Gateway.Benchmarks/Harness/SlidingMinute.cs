namespace Libromi.Gateway.Benchmarks.Harness;

/// <summary>How Libromi counts its per-minute limit: over any 60 s, not per clock minute.</summary>
public static class SlidingMinute
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>The most of <paramref name="sorted"/> (times in ascending order) that fall within any 60 s.</summary>
    public static int MostInAnyMinute(DateTimeOffset[] sorted)
    {
        var max = 0;
        for (int start = 0, end = 0; end < sorted.Length; end++)
        {
            while (sorted[end] - sorted[start] >= Window)
            {
                start++;
            }
            max = Math.Max(max, end - start + 1);
        }
        return max;
    }
}
