using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.Tests.RateLimiting;

public sealed class RateLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly LedgerLimits TenPerMinute = new(PerMinute: 10, PerHour: 1000, LeaseValidity: TimeSpan.FromSeconds(5), RealtimeReservePercent: 10);

    [Fact]
    public void A_lease_gets_at_most_what_the_minute_window_has_left()
    {
        var ledger = new RateLedger(TenPerMinute);

        Assert.Equal(8, Granted(ledger.Lease(T0, 8, 0)).Total);
        Assert.Equal(2, Granted(ledger.Lease(T0, 8, 0)).Total);
        Assert.IsType<LeaseDecision.Full>(ledger.Lease(T0, 1, 0));
    }

    [Fact]
    public void Permits_are_stamped_at_the_lease_expiry_and_leave_one_window_and_margin_after_their_whole_second()
    {
        var ledger = new RateLedger(TenPerMinute);
        var grantedAt = T0.AddMilliseconds(900);
        var lease = Granted(ledger.Lease(grantedAt, 10, 0));
        Assert.Equal(grantedAt.AddSeconds(5), lease.ExpiresAt);

        // A call made at the last moment of the lease (12:00:05.9) is counted until its second (12:00:05) has
        // wholly left the 61-second window: 12:01:07, never earlier than 61 s after the call.
        var full = Assert.IsType<LeaseDecision.Full>(ledger.Lease(grantedAt, 1, 0));
        Assert.Equal(T0.AddSeconds(67), full.RetryAt);
        Assert.IsType<LeaseDecision.Full>(ledger.Lease(T0.AddSeconds(67).AddTicks(-1), 1, 0));
        Assert.Equal(10, Granted(ledger.Lease(T0.AddSeconds(67), 10, 0)).Total);
    }

    [Fact]
    public void The_earliest_time_capacity_frees_is_when_enough_of_the_oldest_buckets_have_left()
    {
        var ledger = new RateLedger(TenPerMinute);
        Granted(ledger.Lease(T0, 4, 0));
        Granted(ledger.Lease(T0.AddSeconds(20), 6, 0));

        // One permit needs only the first lease's second to leave; seven need the second lease's too.
        Assert.Equal(T0.AddSeconds(5 + 1 + 61), Assert.IsType<LeaseDecision.Full>(ledger.Lease(T0.AddSeconds(30), 1, 0)).RetryAt);
        Assert.Equal(4, Granted(ledger.Lease(T0.AddSeconds(67), 7, 0)).Total);
    }

    [Fact]
    public void The_hour_window_counts_per_minute_and_frees_a_whole_minute_later()
    {
        var ledger = new RateLedger(TenPerMinute with { PerMinute = 100, PerHour = 15 });
        Assert.Equal(15, Granted(ledger.Lease(T0, 20, 0)).Total);

        var full = Assert.IsType<LeaseDecision.Full>(ledger.Lease(T0.AddMinutes(30), 1, 0));
        Assert.Equal(T0.AddMinutes(1).AddHours(1).AddSeconds(1), full.RetryAt);
    }

    [Fact]
    public void Bulk_leaves_the_realtime_reserve_which_realtime_may_use()
    {
        var ledger = new RateLedger(TenPerMinute);

        Assert.Equal(9, Granted(ledger.Lease(T0, 0, 10)).Bulk);
        var bulkRefused = Assert.IsType<LeaseDecision.Full>(ledger.Lease(T0, 0, 1));
        Assert.Equal(T0.AddSeconds(67), bulkRefused.RetryAt);
        Assert.Equal(1, Granted(ledger.Lease(T0, 1, 0)).Realtime);
    }

    [Fact]
    public void Realtime_is_granted_before_bulk_within_one_lease()
    {
        var ledger = new RateLedger(TenPerMinute);

        var lease = Granted(ledger.Lease(T0, 3, 10));

        Assert.Equal((3, 6), (lease.Realtime, lease.Bulk));
    }

    [Fact]
    public void A_pause_refuses_every_lease_until_it_ends_and_only_ever_moves_later()
    {
        var ledger = new RateLedger(TenPerMinute);

        Assert.True(ledger.Pause(T0.AddSeconds(30), "429"));
        Assert.False(ledger.Pause(T0.AddSeconds(10), "429"));

        var paused = Assert.IsType<LeaseDecision.Paused>(ledger.Lease(T0, 1, 0));
        Assert.Equal(T0.AddSeconds(30), paused.Until);
        Assert.Equal(1, Granted(ledger.Lease(T0.AddSeconds(30), 1, 0)).Total);
    }

    [Fact]
    public void The_stored_form_keeps_every_count_and_the_pause()
    {
        var ledger = new RateLedger(TenPerMinute);
        Granted(ledger.Lease(T0, 3, 0));
        Granted(ledger.Lease(T0.AddSeconds(2), 4, 0));
        ledger.Pause(T0.AddSeconds(3), "429");

        var reloaded = RateLedger.Load(TenPerMinute, ledger.MinuteBuckets, ledger.HourBuckets, ledger.PausedUntil, ledger.PauseReason);

        Assert.Equal((7, 7), (reloaded.MinuteCount, reloaded.HourCount));
        Assert.IsType<LeaseDecision.Paused>(reloaded.Lease(T0, 1, 0));
        Assert.Equal(3, Granted(reloaded.Lease(T0.AddSeconds(4), 5, 0)).Total);
    }

    private static LeaseDecision.Granted Granted(LeaseDecision decision) => Assert.IsType<LeaseDecision.Granted>(decision);
}
