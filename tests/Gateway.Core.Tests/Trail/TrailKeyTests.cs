using Libromi.Gateway.Trail;

namespace Libromi.Gateway.Tests.Trail;

public sealed class TrailKeyTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 10, 32, 15, 250, TimeSpan.Zero);

    [Fact]
    public void Id_alone_names_its_day_table_hour_partition_and_row()
    {
        var id = Guid.CreateVersion7(At).ToString("N");

        Assert.True(TrailKey.TryParse(id, out var key));
        Assert.Equal("trail20261203", key.Value.TableName);
        Assert.Equal("13", key.Value.PartitionKey); // 23 - 10: newest hour first
        Assert.Equal(At, key.Value.At);
        Assert.Equal($"o{86_399_999 - (((10 * 60) + 32) * 60 + 15) * 1000 - 250:D8}-{id}", key.Value.OperationRow);
    }

    [Fact]
    public void Later_operations_sort_first_within_an_hour_and_their_calls_sort_right_after_them()
    {
        var earlier = TrailKey.For(Guid.CreateVersion7(At).ToString("N"), At);
        var later = TrailKey.For(Guid.CreateVersion7(At.AddSeconds(1)).ToString("N"), At.AddSeconds(1));
        string[] rows = [earlier.OperationRow, earlier.CallRow(At.AddSeconds(5), 0), later.OperationRow, later.CallRow(At.AddSeconds(6), 1)];

        Assert.Equal([later.OperationRow, later.CallRow(At.AddSeconds(6), 1), earlier.OperationRow, earlier.CallRow(At.AddSeconds(5), 0)], rows.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-an-id")]
    [InlineData("0123456789abcdef0123456789abcdef")] // version 4 position, not 7
    [InlineData("019AE3B1C2D37ABC8DEF0123456789AB")] // upper case
    [InlineData("019ae3b1c2d37abc8def0123456789a")] // 31 digits
    [InlineData("019ae3b1-c2d3-7abc-8def-0123456789ab")]
    public void Anything_but_a_gateway_id_is_refused(string? id)
    {
        Assert.False(TrailKey.TryParse(id, out _));
    }

    [Fact]
    public void Only_trail_tables_name_a_day()
    {
        Assert.Equal(new DateOnly(2026, 12, 3), TrailKey.DayOf("trail20261203"));
        Assert.Null(TrailKey.DayOf("trailnotaday"));
        Assert.Null(TrailKey.DayOf("deadletters"));
    }

    [Fact]
    public void Cursor_survives_a_round_trip_and_garbage_is_refused()
    {
        var cursor = new TrailCursor(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero), "p447700900123|12345678-abc");

        Assert.True(TrailCursor.TryDecode(cursor.Encode(), out var decoded));
        Assert.Equal(cursor, decoded);
        Assert.False(TrailCursor.TryDecode("%%%", out _));
        Assert.False(TrailCursor.TryDecode("bm8tZG90", out _)); // "no-dot"
    }

    [Fact]
    public void Hours_of_a_window_run_newest_first_and_resume_where_a_page_stopped()
    {
        var since = new DateTimeOffset(2026, 12, 3, 8, 30, 0, TimeSpan.Zero);
        var until = new DateTimeOffset(2026, 12, 3, 10, 5, 0, TimeSpan.Zero);

        Assert.Equal([10, 9, 8], TrailHours.Between(since, until).Select(h => h.Hour));
        Assert.Equal([9, 8], TrailHours.Between(since, until, new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero)).Select(h => h.Hour));
    }
}
