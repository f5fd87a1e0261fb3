using Libromi.Gateway.DeadLetters;

namespace Libromi.Gateway.Tests.DeadLetters;

public sealed class DeadLetterKeyTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Later_dead_letters_sort_first_so_a_listing_starts_with_the_newest()
    {
        var earlier = DeadLetterKey.Create(Noon);
        var later = DeadLetterKey.Create(Noon.AddTicks(1));
        var nextDay = DeadLetterKey.Create(Noon.AddDays(1));

        Assert.True(string.CompareOrdinal(later.RowKey, earlier.RowKey) < 0);
        Assert.True(string.CompareOrdinal(nextDay.PartitionKey, earlier.PartitionKey) < 0);
        Assert.True(string.CompareOrdinal(nextDay.RowKey, later.RowKey) < 0);
    }

    [Fact]
    public void Two_failures_at_the_same_instant_get_different_ids()
    {
        Assert.NotEqual(DeadLetterKey.Create(Noon).Id, DeadLetterKey.Create(Noon).Id);
    }

    [Fact]
    public void An_id_alone_locates_its_partition()
    {
        var key = DeadLetterKey.Create(Noon);

        Assert.True(DeadLetterKey.TryParse(key.Id, out var parsed));
        Assert.Equal(key, parsed);
    }

    [Theory]
    [InlineData("23:59:59.9999999", "00:00:00")]
    [InlineData("00:00:00", "23:59:59.9999999")]
    public void One_utc_day_is_one_partition(string first, string second)
    {
        var day = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(DeadLetterKey.Create(day + TimeSpan.Parse(first, null)).PartitionKey, DeadLetterKey.Create(day + TimeSpan.Parse(second, null)).PartitionKey);
        Assert.NotEqual(DeadLetterKey.Create(day).PartitionKey, DeadLetterKey.Create(day.AddTicks(-1)).PartitionKey);
    }

    [Fact]
    public void Same_instant_in_another_offset_lands_in_the_same_partition()
    {
        Assert.Equal(DeadLetterKey.Create(Noon).PartitionKey, DeadLetterKey.Create(Noon.ToOffset(TimeSpan.FromHours(11))).PartitionKey);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-an-id")]
    [InlineData("../../etc/passwd")]
    [InlineData("9999999999999999999-0123456789abcdef0123456789abcdef")]
    [InlineData("1234567890123456789-0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("1234567890123456789_0123456789abcdef0123456789abcdef")]
    [InlineData("123456789012345678x-0123456789abcdef0123456789abcdef")]
    [InlineData("1234567890123456789-0123456789abcdef0123456789abcdef0")]
    public void Anything_but_an_id_the_store_made_is_refused(string id)
    {
        Assert.False(DeadLetterKey.TryParse(id, out _));
    }
}
