using Libromi.Gateway.Trail;

namespace Libromi.Gateway.Tests.Trail;

public sealed class TrailHourWalkTests
{
    private static readonly DateTimeOffset Ten = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Nine = Ten.AddHours(-1);

    [Fact]
    public void Hour_at_the_edges_of_the_window_is_read_from_until_back_to_since()
    {
        var walk = new TrailHourWalk(Ten.AddMinutes(30), Ten.AddMinutes(45), 50, Cursor: null, RowPrefix: "d");

        // 10:45 leaves 47,699,999 ms of the day after it, 10:30 leaves 48,599,999: newest is the smaller key.
        Assert.Equal(("d47699999", "d48599999~"), walk.RowRange(Ten));
    }

    [Fact]
    public void Hour_inside_the_window_is_read_whole()
    {
        var walk = new TrailHourWalk(Ten.AddMinutes(-90), Ten.AddMinutes(5), 50, Cursor: null, RowPrefix: "p447700900123|");

        Assert.Equal(("p447700900123|50400000", "p447700900123|53999999~"), walk.RowRange(Nine));
    }

    [Fact]
    public void Partition_filter_keeps_to_the_range_then_resumes_after_the_cursor_then_adds_the_search_filter()
    {
        var walk = new TrailHourWalk(Ten.AddMinutes(30), Ten.AddMinutes(45), 50, Cursor: null, RowPrefix: "d") { Filter = "Integration eq 'shop'" };

        Assert.Equal(
            "PartitionKey eq '13' and RowKey ge 'd47699999' and RowKey le 'd48599999~' and RowKey gt 'd47700000-abc' and Integration eq 'shop'",
            walk.FilterFor(Ten, afterRowKey: "d47700000-abc"));
    }

    [Fact]
    public void Partition_filter_without_cursor_or_search_filter_is_the_range_alone()
    {
        var walk = new TrailHourWalk(Ten.AddMinutes(30), Ten.AddMinutes(45), 50, Cursor: null, RowPrefix: "o");

        Assert.Equal("PartitionKey eq '13' and RowKey ge 'o47699999' and RowKey le 'o48599999~'", walk.FilterFor(Ten, afterRowKey: null));
    }
}
