using Libromi.Gateway.DeadLetters;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Libromi.Gateway.Tests.DeadLetters;

public sealed class DeadLetterFilterTests
{
    private static IQueryCollection Query(params (string Name, string Value)[] pairs) =>
        new QueryCollection(pairs.ToDictionary(p => p.Name, p => new StringValues(p.Value)));

    [Fact]
    public void No_parameters_is_an_empty_filter_that_matches_everything()
    {
        var errors = new Dictionary<string, string[]>();

        var filter = DeadLetterFilter.Parse(Query(), errors);

        Assert.Empty(errors);
        Assert.True(filter.IsEmpty);
        Assert.Null(filter.ToODataFilter());
    }

    [Fact]
    public void Source_and_reason_class_become_property_clauses_with_quotes_escaped()
    {
        var errors = new Dictionary<string, string[]>();

        var filter = DeadLetterFilter.Parse(Query(("source", "hook:o'brien"), ("reason_class", "rejected")), errors);

        Assert.Empty(errors);
        Assert.Equal("Source eq 'hook:o''brien' and ReasonClass eq 'rejected'", filter.ToODataFilter());
    }

    [Fact]
    public void A_time_range_becomes_a_key_range_over_newest_first_keys()
    {
        var errors = new Dictionary<string, string[]>();
        var since = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var until = since.AddHours(6);

        var filter = DeadLetterFilter.Parse(Query(("since", "2026-11-01T00:00:00Z"), ("until", "2026-11-01T06:00:00Z")), errors).ToODataFilter()!;

        Assert.Empty(errors);
        var inside = DeadLetterKey.Create(since.AddHours(3));
        var before = DeadLetterKey.Create(since.AddTicks(-1));
        var after = DeadLetterKey.Create(until.AddTicks(1));
        Assert.True(InRange(inside.RowKey, DeadLetterKey.RowKeyFloor(until), DeadLetterKey.RowKeyCeiling(since)));
        Assert.False(InRange(before.RowKey, DeadLetterKey.RowKeyFloor(until), DeadLetterKey.RowKeyCeiling(since)));
        Assert.False(InRange(after.RowKey, DeadLetterKey.RowKeyFloor(until), DeadLetterKey.RowKeyCeiling(since)));
        Assert.Contains($"RowKey ge '{DeadLetterKey.RowKeyFloor(until)}'", filter, StringComparison.Ordinal);
        Assert.Contains($"RowKey le '{DeadLetterKey.RowKeyCeiling(since)}'", filter, StringComparison.Ordinal);
    }

    [Fact]
    public void Bounds_are_inclusive_at_the_exact_instant()
    {
        var at = new DateTimeOffset(2026, 11, 1, 9, 30, 0, TimeSpan.Zero);
        var key = DeadLetterKey.Create(at);

        Assert.True(InRange(key.RowKey, DeadLetterKey.RowKeyFloor(at), DeadLetterKey.RowKeyCeiling(at)));
    }

    [Theory]
    [InlineData("reason_class", "lost")]
    [InlineData("since", "yesterday")]
    [InlineData("until", "13/13/2026")]
    public void Bad_values_are_reported_by_parameter(string name, string value)
    {
        var errors = new Dictionary<string, string[]>();

        DeadLetterFilter.Parse(Query((name, value)), errors);

        Assert.True(errors.ContainsKey(name));
    }

    [Fact]
    public void Since_after_until_is_refused()
    {
        var errors = new Dictionary<string, string[]>();

        DeadLetterFilter.Parse(Query(("since", "2026-11-02T00:00:00Z"), ("until", "2026-11-01T00:00:00Z")), errors);

        Assert.True(errors.ContainsKey("since"));
    }

    private static bool InRange(string rowKey, string floor, string ceiling) =>
        string.CompareOrdinal(rowKey, floor) >= 0 && string.CompareOrdinal(rowKey, ceiling) <= 0;
}
