using Libromi.Gateway.Telemetry;

namespace Libromi.Gateway.Tests.Telemetry;

public sealed class ThroughputWindowTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 12, 30, 45, TimeSpan.Zero);

    [Fact]
    public void Per_minute_points_end_with_the_current_minute_and_count_each_kind()
    {
        var window = new ThroughputWindow();
        window.RecordDelivered(Now);
        window.RecordDelivered(Now.AddSeconds(-50));
        window.RecordDeadLettered(Now.AddMinutes(-2));
        window.RecordRequest(Now);

        var points = window.PerMinute(Now, 3);

        Assert.Equal([Now.AddMinutes(-2).AddSeconds(-45), Now.AddMinutes(-1).AddSeconds(-45), Now.AddSeconds(-45)], points.Select(p => p.Minute));
        Assert.Equal([0L, 1L, 1L], points.Select(p => p.Delivered));
        Assert.Equal([1L, 0L, 0L], points.Select(p => p.DeadLettered));
        Assert.Equal(1, points[2].Requests);
    }

    [Fact]
    public void Counts_older_than_an_hour_are_forgotten_when_their_bucket_is_reused()
    {
        var window = new ThroughputWindow();
        window.RecordRequest(Now.AddHours(-1));
        window.RecordRequest(Now);

        Assert.Equal(1, window.RequestsSince(Now.AddMinutes(-59)));
        Assert.Equal(1, window.PerMinute(Now, 1)[0].Requests);
    }
}
