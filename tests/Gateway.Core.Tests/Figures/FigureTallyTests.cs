using Libromi.Gateway.Figures;
using Libromi.Gateway.Trail;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.Figures;

public sealed class FigureTallyTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 3, 10, 59, 58, TimeSpan.Zero));
    private readonly FigureTally _tally = new();

    [Fact]
    public void Counts_either_side_of_an_hour_land_in_two_hourly_rows()
    {
        _tally.CountDelivery("shop", DeliveryOutcomes.Accepted, null, _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(2));
        _tally.CountDelivery("shop", DeliveryOutcomes.Accepted, null, _clock.GetUtcNow());
        _tally.CountDelivered("shop", _clock.GetUtcNow());

        var rows = _tally.TakeChanged().OrderBy(r => r.Hour).ToList();

        Assert.Equal(2, rows.Count);
        Assert.Equal((new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero), 1L, 0L), (rows[0].Hour, rows[0].Received, rows[0].Delivered));
        Assert.Equal((new DateTimeOffset(2026, 12, 3, 11, 0, 0, TimeSpan.Zero), 1L, 1L), (rows[1].Hour, rows[1].Received, rows[1].Delivered));
    }

    [Fact]
    public void Refused_deliveries_are_counted_by_outcome_and_a_duplicate_is_not_an_error()
    {
        _tally.CountDelivery("github", DeliveryOutcomes.Unverified, "signature_mismatch", _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        _tally.CountDelivery("github", DeliveryOutcomes.Malformed, null, _clock.GetUtcNow());
        var malformedAt = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        _tally.CountDelivery("github", DeliveryOutcomes.Duplicate, null, _clock.GetUtcNow());
        _tally.CountDelivery("github", DeliveryOutcomes.Unverified, "signature_mismatch", malformedAt.AddMilliseconds(-100));

        var row = Assert.Single(_tally.TakeChanged());

        Assert.Equal(4, row.Received);
        Assert.Equal(new Dictionary<string, long> { ["unverified"] = 2, ["malformed"] = 1, ["duplicate"] = 1 }, row.Refused);
        // A count that arrives late (an older instant) does not replace a newer error.
        Assert.Equal((malformedAt, "delivery malformed"), (row.LastErrorAt, row.LastError));
    }

    [Fact]
    public void Dead_letter_error_names_its_class_and_status_only()
    {
        _tally.CountDeadLettered("zapier", "rejected", 422, _clock.GetUtcNow());

        var row = Assert.Single(_tally.TakeChanged());

        Assert.Equal((1L, "dead-lettered rejected (HTTP 422)"), (row.DeadLettered, row.LastError));
    }

    [Fact]
    public void A_flush_takes_running_totals_and_only_rows_that_changed()
    {
        _tally.CountDelivery("shop", DeliveryOutcomes.Accepted, null, _clock.GetUtcNow());
        _tally.CountDelivery("zapier", DeliveryOutcomes.Accepted, null, _clock.GetUtcNow());
        Assert.Equal(2, _tally.TakeChanged().Count);

        _tally.CountDelivery("shop", DeliveryOutcomes.Accepted, null, _clock.GetUtcNow());
        var second = Assert.Single(_tally.TakeChanged());

        // The row carries the hour's total so far (written over the instance's row), not the increment.
        Assert.Equal(("shop", 2L), (second.Integration, second.Received));
        Assert.Empty(_tally.TakeChanged());
    }

    [Fact]
    public void A_failed_flush_is_written_again_with_what_was_counted_meanwhile()
    {
        _tally.CountDelivery("shop", DeliveryOutcomes.Accepted, null, _clock.GetUtcNow());
        var failed = _tally.TakeChanged();

        _tally.Restore(failed);
        _tally.CountDelivery("shop", DeliveryOutcomes.Accepted, null, _clock.GetUtcNow());

        Assert.Equal(2, Assert.Single(_tally.TakeChanged()).Received);
    }

    [Fact]
    public void Written_hours_before_the_previous_one_are_forgotten_and_unwritten_ones_kept()
    {
        _tally.CountDelivery("shop", DeliveryOutcomes.Accepted, null, _clock.GetUtcNow()); // 10:00, written below
        _tally.TakeChanged();
        _tally.CountDelivery("zapier", DeliveryOutcomes.Accepted, null, _clock.GetUtcNow()); // 10:00, not written yet
        _clock.Advance(TimeSpan.FromHours(2));
        _tally.CountDelivery("shop", DeliveryOutcomes.Accepted, null, _clock.GetUtcNow()); // 12:00

        _tally.ForgetWrittenBefore(_clock.GetUtcNow());

        Assert.Equal(2, _tally.Buckets);
        var rows = _tally.TakeChanged().OrderBy(r => r.Integration).ToList();
        Assert.Equal([("shop", 12, 1L), ("zapier", 10, 1L)], rows.Select(r => (r.Integration, r.Hour.Hour, r.Received)));
    }
}
