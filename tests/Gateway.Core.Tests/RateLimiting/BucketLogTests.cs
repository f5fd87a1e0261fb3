using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.Tests.RateLimiting;

public sealed class BucketLogTests
{
    private const long T0 = 1_764_331_200_000;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(61);

    [Fact]
    public void A_bucket_leaves_one_window_after_its_latest_stamp()
    {
        var log = new BucketLog(10, Window, TimeSpan.FromSeconds(1));
        log.Add(T0 + 100, 3);
        log.Add(T0 + 700, 2);

        log.Evict(T0 + 61_699);
        Assert.Equal(5, log.Count);
        log.Evict(T0 + 61_700);
        Assert.Equal(0, log.Count);
    }

    [Fact]
    public void Taking_permits_back_keeps_the_buckets_latest_stamp_for_the_rest()
    {
        var log = new BucketLog(10, Window, TimeSpan.FromSeconds(1));
        log.Add(T0 + 100, 3);
        log.Add(T0 + 900, 4);

        log.Remove(T0 + 900, 4);

        // The three left may have been stamped as late as any permit the bucket ever held.
        Assert.Equal(3, log.Count);
        Assert.Equal(T0 + 900 + 61_000, log.FreesAt(T0, 8, 0));
        log.Remove(T0 + 100, 3);
        Assert.Equal(("", ""), (log.ToString(), log.LatestStamps()));
    }

    [Fact]
    public void Taking_back_more_than_a_bucket_holds_or_from_a_bucket_that_left_changes_nothing_else()
    {
        var log = new BucketLog(10, Window, TimeSpan.FromSeconds(1));
        log.Add(T0, 2);
        log.Add(T0 + 1_000, 5);

        log.Remove(T0, 3);
        log.Remove(T0 + 5_000, 1);

        Assert.Equal(5, log.Count);
    }

    [Fact]
    public void A_bucket_stored_without_its_latest_stamp_leaves_at_its_end()
    {
        var log = new BucketLog(10, Window, TimeSpan.FromSeconds(1));
        log.Load($"{T0 / 1000}:4,{(T0 / 1000) + 1}:2", $"{(T0 / 1000) + 1}:{T0 + 1_250}");

        Assert.Equal(T0 + 1_000 + 61_000, log.FreesAt(T0, 8, 0));
        Assert.Equal(T0 + 1_250 + 61_000, log.FreesAt(T0, 10, 0));
        // Adding to the bucket whose latest stamp is unknown cannot make it leave earlier than its end.
        log.Add(T0 + 10, 1);
        Assert.Equal(T0 + 1_000 + 61_000, log.FreesAt(T0, 8, 0));
    }

    [Fact]
    public void A_latest_stamp_outside_its_bucket_is_ignored()
    {
        var log = new BucketLog(10, Window, TimeSpan.FromSeconds(1));

        log.Load($"{T0 / 1000}:4", $"{T0 / 1000}:{T0 - 30_000}");

        Assert.Equal(T0 + 1_000 + 61_000, log.FreesAt(T0, 7, 0));
    }

    [Fact]
    public void The_stored_form_round_trips_counts_and_latest_stamps()
    {
        var log = new BucketLog(100, Window, TimeSpan.FromSeconds(1));
        log.Add(T0 + 999, 3);
        log.Add(T0 + 2_000, 1);
        log.Add(T0 + 2_500, 6);

        var reloaded = new BucketLog(100, Window, TimeSpan.FromSeconds(1));
        reloaded.Load(log.ToString(), log.LatestStamps());

        Assert.Equal($"{T0 / 1000}:3,{(T0 / 1000) + 2}:7", reloaded.ToString());
        Assert.Equal($"{T0 / 1000}:{T0 + 999},{(T0 / 1000) + 2}:{T0 + 2_500}", reloaded.LatestStamps());
        Assert.Equal(10, reloaded.Count);
    }
}
