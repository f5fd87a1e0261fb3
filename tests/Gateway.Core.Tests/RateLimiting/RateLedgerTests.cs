using Libromi.Gateway.RateLimiting;
using Xunit.Abstractions;

namespace Libromi.Gateway.Tests.RateLimiting;

public sealed class RateLedgerTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly LedgerLimits TenPerMinute = new(PerMinute: 10, PerHour: 1000, LeaseValidity: TimeSpan.FromSeconds(5), RealtimeReservePercent: 10);

    [Fact]
    public void A_lease_gets_at_most_what_the_minute_window_has_left()
    {
        var ledger = new RateLedger(TenPerMinute);

        Assert.Equal(8, Granted(ledger.Lease(T0, 8, 0, "a")).Total);
        Assert.Equal(2, Granted(ledger.Lease(T0, 8, 0, "b")).Total);
        Assert.IsType<LeaseDecision.Full>(ledger.Lease(T0, 1, 0, "c"));
    }

    [Fact]
    public void Unsettled_permits_are_stamped_at_the_lease_expiry_and_leave_one_window_and_margin_after_it()
    {
        var ledger = new RateLedger(TenPerMinute);
        var grantedAt = T0.AddMilliseconds(900);
        var lease = Granted(ledger.Lease(grantedAt, 10, 0, "a"));
        Assert.Equal(grantedAt.AddSeconds(5), lease.ExpiresAt);

        // A call made at the last moment of the lease (12:00:05.9) is counted for the 61-second window after it.
        var full = Assert.IsType<LeaseDecision.Full>(ledger.Lease(grantedAt, 1, 0, "b"));
        Assert.Equal(lease.ExpiresAt + RateLedger.MinuteWindow, full.RetryAt);
        Assert.IsType<LeaseDecision.Full>(ledger.Lease(full.RetryAt.AddTicks(-1), 1, 0, "b"));
        Assert.Equal(10, Granted(ledger.Lease(full.RetryAt, 10, 0, "b")).Total);
    }

    [Fact]
    public void The_earliest_time_capacity_frees_is_when_enough_of_the_oldest_buckets_have_left()
    {
        var ledger = new RateLedger(TenPerMinute);
        Granted(ledger.Lease(T0, 4, 0, "a"));
        Granted(ledger.Lease(T0.AddSeconds(20), 6, 0, "b"));

        // One permit needs only the first lease to leave; seven need the second lease's too.
        Assert.Equal(T0.AddSeconds(5 + 61), Assert.IsType<LeaseDecision.Full>(ledger.Lease(T0.AddSeconds(30), 1, 0, "c")).RetryAt);
        Assert.Equal(4, Granted(ledger.Lease(T0.AddSeconds(66), 7, 0, "c")).Total);
    }

    [Fact]
    public void The_hour_window_frees_one_hour_and_margin_after_the_latest_stamp_of_each_minute()
    {
        var ledger = new RateLedger(TenPerMinute with { PerMinute = 100, PerHour = 15 });
        Assert.Equal(15, Granted(ledger.Lease(T0, 20, 0, "a")).Total);

        var full = Assert.IsType<LeaseDecision.Full>(ledger.Lease(T0.AddMinutes(30), 1, 0, "b"));
        Assert.Equal(T0.AddSeconds(5) + RateLedger.HourWindow, full.RetryAt);
    }

    [Fact]
    public void Bulk_leaves_the_realtime_reserve_which_realtime_may_use()
    {
        var ledger = new RateLedger(TenPerMinute);

        Assert.Equal(9, Granted(ledger.Lease(T0, 0, 10, "a")).Bulk);
        var bulkRefused = Assert.IsType<LeaseDecision.Full>(ledger.Lease(T0, 0, 1, "b"));
        Assert.Equal(T0.AddSeconds(66), bulkRefused.RetryAt);
        Assert.Equal(1, Granted(ledger.Lease(T0, 1, 0, "b")).Realtime);
    }

    [Fact]
    public void Realtime_is_granted_before_bulk_within_one_lease()
    {
        var ledger = new RateLedger(TenPerMinute);

        var lease = Granted(ledger.Lease(T0, 3, 10, "a"));

        Assert.Equal((3, 6), (lease.Realtime, lease.Bulk));
    }

    [Fact]
    public void A_pause_refuses_every_lease_until_it_ends_and_only_ever_moves_later()
    {
        var ledger = new RateLedger(TenPerMinute);

        Assert.True(ledger.Pause(T0.AddSeconds(30), "429"));
        Assert.False(ledger.Pause(T0.AddSeconds(10), "429"));

        var paused = Assert.IsType<LeaseDecision.Paused>(ledger.Lease(T0, 1, 0, "a"));
        Assert.Equal(T0.AddSeconds(30), paused.Until);
        Assert.Equal(1, Granted(ledger.Lease(T0.AddSeconds(30), 1, 0, "a")).Total);
    }

    [Fact]
    public void A_settled_lease_counts_its_used_permits_from_the_last_use_and_gives_the_unused_ones_back()
    {
        var ledger = new RateLedger(TenPerMinute);
        Granted(ledger.Lease(T0, 10, 0, "a"));
        var lastUse = T0.AddMilliseconds(300);

        Assert.True(ledger.Settle(T0.AddSeconds(1), new LeaseSettlement("a", 6, lastUse)));

        Assert.Equal(6, ledger.MinuteCount);
        Assert.Equal(4, Granted(ledger.Lease(T0.AddSeconds(1), 10, 0, "b")).Total);
        ledger.Settle(T0.AddSeconds(1), new LeaseSettlement("b", 4, T0.AddSeconds(1)));
        // The six used permits leave one window after their last use, 4.7 s before the lease's expiry would have let them.
        var full = Assert.IsType<LeaseDecision.Full>(ledger.Lease(T0.AddSeconds(2), 1, 0, "c"));
        Assert.Equal(lastUse + RateLedger.MinuteWindow, full.RetryAt);
        Assert.Equal(6, Granted(ledger.Lease(full.RetryAt, 10, 0, "c")).Total);
    }

    [Fact]
    public void A_settlement_never_stamps_later_than_the_expiry_nor_earlier_than_the_last_use()
    {
        var late = new RateLedger(TenPerMinute);
        var lease = Granted(late.Lease(T0, 10, 0, "a"));
        // A clock that jumped ahead reports a last use after the expiry: the permits stay at the expiry.
        late.Settle(T0.AddSeconds(1), new LeaseSettlement("a", 10, lease.ExpiresAt.AddSeconds(30)));
        Assert.Equal(lease.ExpiresAt + RateLedger.MinuteWindow, Assert.IsType<LeaseDecision.Full>(late.Lease(T0.AddSeconds(1), 1, 0, "b")).RetryAt);

        var early = new RateLedger(TenPerMinute);
        Granted(early.Lease(T0, 10, 0, "a"));
        var lastUse = T0.AddMilliseconds(1_234);
        early.Settle(T0.AddSeconds(2), new LeaseSettlement("a", 10, lastUse));
        Assert.Equal(lastUse + RateLedger.MinuteWindow, Assert.IsType<LeaseDecision.Full>(early.Lease(T0.AddSeconds(2), 1, 0, "b")).RetryAt);
        Assert.IsType<LeaseDecision.Full>(early.Lease(lastUse + RateLedger.MinuteWindow - TimeSpan.FromMilliseconds(1), 1, 0, "b"));
    }

    [Fact]
    public void Settling_again_or_settling_an_unknown_lease_changes_nothing()
    {
        var ledger = new RateLedger(TenPerMinute);
        Granted(ledger.Lease(T0, 10, 0, "a"));
        Assert.True(ledger.Settle(T0.AddSeconds(1), new LeaseSettlement("a", 3, T0)));

        // A retry after a write whose answer was lost reports the same settlement again.
        Assert.False(ledger.Settle(T0.AddSeconds(2), new LeaseSettlement("a", 0, null)));
        Assert.False(ledger.Settle(T0.AddSeconds(2), new LeaseSettlement("never-granted", 0, null)));

        Assert.Equal((3, 3, 0), (ledger.MinuteCount, ledger.HourCount, ledger.OpenLeaseCount));
    }

    [Fact]
    public void A_crashed_instances_lease_is_never_settled_and_comes_back_one_window_after_its_expiry()
    {
        var ledger = new RateLedger(TenPerMinute);
        var crashed = Granted(ledger.Lease(T0, 10, 0, "crashed"));

        var full = Assert.IsType<LeaseDecision.Full>(ledger.Lease(T0.AddSeconds(30), 1, 0, "b"));

        Assert.Equal(crashed.ExpiresAt + RateLedger.MinuteWindow, full.RetryAt);
        Assert.Equal(10, Granted(ledger.Lease(full.RetryAt, 10, 0, "b")).Total);
        // Its open entry went with it: a late settlement cannot touch permits granted since.
        Assert.False(ledger.Settle(full.RetryAt, new LeaseSettlement("crashed", 0, null)));
        Assert.Equal(10, ledger.MinuteCount);
    }

    [Fact]
    public void A_settlement_arriving_after_other_leases_only_moves_its_own_permits()
    {
        var ledger = new RateLedger(TenPerMinute);
        Granted(ledger.Lease(T0, 4, 0, "a"));
        Granted(ledger.Lease(T0, 5, 0, "b"));

        ledger.Settle(T0.AddSeconds(1), new LeaseSettlement("a", 0, null));

        Assert.Equal(5, ledger.MinuteCount);
        Assert.Equal(5, Granted(ledger.Lease(T0.AddSeconds(1), 6, 0, "c")).Total);
        // "b" shares the bucket "a" left and is still counted from its expiry.
        Assert.Equal(T0.AddSeconds(5) + RateLedger.MinuteWindow, Assert.IsType<LeaseDecision.Full>(ledger.Lease(T0.AddSeconds(1), 1, 0, "d")).RetryAt);
    }

    [Fact]
    public void The_stored_form_keeps_every_count_latest_stamp_open_lease_and_the_pause()
    {
        var ledger = new RateLedger(TenPerMinute);
        Granted(ledger.Lease(T0, 3, 0, "a"));
        Granted(ledger.Lease(T0.AddSeconds(2), 4, 0, "b"));
        ledger.Settle(T0.AddSeconds(2), new LeaseSettlement("a", 2, T0.AddMilliseconds(250)));
        ledger.Pause(T0.AddSeconds(3), "429");

        var reloaded = RateLedger.Load(TenPerMinute, ledger.ToStored());

        Assert.Equal(ledger.ToStored(), reloaded.ToStored());
        Assert.Equal((6, 6, 1), (reloaded.MinuteCount, reloaded.HourCount, reloaded.OpenLeaseCount));
        Assert.IsType<LeaseDecision.Paused>(reloaded.Lease(T0, 1, 0, "c"));
        Assert.True(reloaded.Settle(T0.AddSeconds(4), new LeaseSettlement("b", 0, null)));
        Assert.Equal(8, Granted(reloaded.Lease(T0.AddSeconds(4), 10, 0, "c")).Total);
        Assert.Equal(T0.AddMilliseconds(250) + RateLedger.MinuteWindow, Assert.IsType<LeaseDecision.Full>(reloaded.Lease(T0.AddSeconds(4), 1, 0, "d")).RetryAt);
    }

    [Fact]
    public void A_ledger_written_by_an_older_gateway_is_read_conservatively()
    {
        // Only whole-second counts: no latest stamps (each bucket leaves at its end) and no open leases to settle.
        var older = new StoredLedger(Minute: $"{T0.AddSeconds(5).ToUnixTimeSeconds()}:10", null, Hour: $"{T0.ToUnixTimeSeconds() / 60}:10", null, null, null, null);
        var ledger = RateLedger.Load(TenPerMinute, older);

        Assert.False(ledger.Settle(T0.AddSeconds(6), new LeaseSettlement("a", 0, null)));
        Assert.Equal(T0.AddSeconds(6) + RateLedger.MinuteWindow, Assert.IsType<LeaseDecision.Full>(ledger.Lease(T0.AddSeconds(6), 1, 0, "b")).RetryAt);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_stored_form_of_the_largest_account_stays_far_below_the_entity_property_limit(bool settled)
    {
        // The busiest ledger the options allow (100 a minute, 10,000 an hour), one permit per lease (the most
        // entries), each at a distinct millisecond, for over an hour: every lease left open, or every one settled.
        var limits = new LedgerLimits(PerMinute: 100, PerHour: 10_000, LeaseValidity: TimeSpan.FromSeconds(2), RealtimeReservePercent: 10);
        var ledger = new RateLedger(limits);
        var longest = new int[5];
        for (var i = 0; i < 8_000; i++)
        {
            var now = T0.AddMilliseconds(i * 613.7);
            var id = i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
            if (ledger.Lease(now, 1, 0, id) is LeaseDecision.Granted && settled)
            {
                ledger.Settle(now, new LeaseSettlement(id, 1, now));
            }
            var stored = ledger.ToStored();
            string?[] properties = [stored.Minute, stored.MinuteLatest, stored.Hour, stored.HourLatest, stored.Leases];
            for (var p = 0; p < properties.Length; p++)
            {
                longest[p] = Math.Max(longest[p], properties[p]?.Length ?? 0);
            }
        }

        output.WriteLine($"longest Minute, MinuteLatest, Hour, HourLatest, Leases ({(settled ? "settled" : "open")}): {string.Join(", ", longest)} characters");
        // A string property holds 64 KiB of UTF-16 (32,768 characters), the whole entity 1 MiB.
        Assert.All(longest, length => Assert.InRange(length, 0, 8_192));
        Assert.InRange(longest.Sum(), 1, 16_384);
    }

    [Fact]
    public void Instances_settling_at_random_never_put_more_than_the_limit_in_any_window_of_a_minute_and_margin()
    {
        var limits = TenPerMinute with { LeaseValidity = TimeSpan.FromSeconds(2) };
        var random = new Random(20261128);
        var stored = new RateLedger(limits).ToStored();
        var uses = new List<DateTimeOffset>();
        var instances = Enumerable.Range(0, 3).Select(_ => new SimulatedInstance()).ToArray();
        var now = T0;
        for (var step = 0; step < 20_000; step++)
        {
            now = now.AddMilliseconds(random.Next(1, 400));
            var instance = instances[random.Next(instances.Length)];
            // Every round trip starts from the stored entity, as another instance may have written it.
            var ledger = RateLedger.Load(limits, stored);
            if (instance.Lease is { } lease)
            {
                // Some permits were used at random moments of the lease, never after it expired nor after now.
                var grantedAt = lease.ExpiresAt - limits.LeaseValidity;
                var until = Min(lease.ExpiresAt, now);
                var times = Enumerable.Range(0, random.Next(lease.Total + 1)).Select(_ => grantedAt + (until - grantedAt) * random.NextDouble()).Where(t => t < until).ToArray();
                uses.AddRange(times);
                instance.Unsettled = random.Next(10) switch
                {
                    // Crashed: never settles.
                    0 => null,
                    // A clock that ran ahead: the ledger must not stamp later than the expiry.
                    1 => new LeaseSettlement(lease.LeaseId, times.Length, lease.ExpiresAt.AddSeconds(10)),
                    _ => new LeaseSettlement(lease.LeaseId, times.Length, times.Length == 0 ? null : times.Max()),
                };
                instance.Lease = null;
            }
            if (instance.Unsettled is { } settlement && random.Next(4) > 0)
            {
                ledger.Settle(now, settlement);
                // Sometimes the answer is lost and the instance reports the same settlement again later.
                instance.Unsettled = random.Next(5) == 0 ? settlement : null;
            }
            if (ledger.Lease(now, random.Next(1, 6), 0, $"lease-{step}") is LeaseDecision.Granted granted)
            {
                instance.Lease = granted;
            }
            stored = ledger.ToStored();
        }

        uses.Sort();
        var window = TimeSpan.FromMinutes(1) + LibromiRateLimiterFactory.WindowMargin;
        var most = 0;
        for (int start = 0, end = 0; end < uses.Count; end++)
        {
            while (uses[end] - uses[start] >= window)
            {
                start++;
            }
            most = Math.Max(most, end - start + 1);
        }
        Assert.True(uses.Count > 400, $"only {uses.Count} calls were simulated");
        Assert.Equal(limits.PerMinute, most);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static LeaseDecision.Granted Granted(LeaseDecision decision) => Assert.IsType<LeaseDecision.Granted>(decision);

    private sealed class SimulatedInstance
    {
        public LeaseDecision.Granted? Lease { get; set; }

        public LeaseSettlement? Unsettled { get; set; }
    }
}
