using Libromi.Gateway.Imports;

namespace Libromi.Gateway.Tests.Imports;

public sealed class ImportEtaTests
{
    [Fact]
    public void Calls_within_the_hourly_budget_go_at_the_per_minute_pace() =>
        Assert.Equal(TimeSpan.FromMinutes(10), ImportEta.Estimate(callsAhead: 0, ownCalls: 600, requestsPerMinute: 60, requestsPerHour: 1000));

    [Fact]
    public void Calls_beyond_the_hourly_budget_wait_for_the_next_hour() =>
        // 1,000 in the first hour, 1,000 in the second, the last 500 at 60 a minute in the third.
        Assert.Equal(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(500.0 / 60), ImportEta.Estimate(0, 2500, 60, 1000));

    [Fact]
    public void An_exact_multiple_of_the_hourly_budget_ends_early_in_its_last_hour() =>
        Assert.Equal(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1000.0 / 60), ImportEta.Estimate(0, 2000, 60, 1000));

    [Fact]
    public void Realtime_work_ahead_delays_the_import() =>
        Assert.Equal(TimeSpan.FromMinutes(2), ImportEta.Estimate(callsAhead: 60, ownCalls: 60, requestsPerMinute: 60, requestsPerHour: 1000));

    [Fact]
    public void Nothing_pending_means_no_wait_whatever_realtime_holds() =>
        Assert.Equal(TimeSpan.Zero, ImportEta.Estimate(callsAhead: 500, ownCalls: 0, requestsPerMinute: 60, requestsPerHour: 1000));
}
