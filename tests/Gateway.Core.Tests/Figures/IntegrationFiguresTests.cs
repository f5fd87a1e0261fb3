using Libromi.Gateway.Figures;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.Figures;

public sealed class IntegrationFiguresTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 20, 0, TimeSpan.Zero);

    [Fact]
    public void Window_is_the_running_hour_and_the_23_before_it()
    {
        var clock = new FakeTimeProvider(Now);

        Assert.Equal(new DateTimeOffset(2026, 12, 2, 11, 0, 0, TimeSpan.Zero), FigureHours.WindowStart(clock.GetUtcNow()));
        clock.Advance(TimeSpan.FromMinutes(40));
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero), FigureHours.WindowStart(clock.GetUtcNow()));
    }

    [Fact]
    public void Sum_counts_the_first_hour_of_the_window_and_not_the_hour_before_it()
    {
        var start = FigureHours.WindowStart(Now);
        HourFigures[] rows = [Row("shop", start, received: 3), Row("shop", start.AddHours(-1), received: 100), Row("shop", FigureHours.Of(Now), received: 4)];

        var figures = IntegrationFigures.Sum("shop", rows, start);

        Assert.Equal(7, figures.Received);
    }

    [Fact]
    public void Sum_merges_every_instances_rows_and_ignores_other_integrations()
    {
        var hour = FigureHours.Of(Now);
        HourFigures[] rows =
        [
            Row("shop", hour, received: 2, delivered: 1, refused: new() { ["unverified"] = 1 }),
            Row("shop", hour, received: 5, delivered: 3, deadLettered: 1, refused: new() { ["unverified"] = 2, ["malformed"] = 1 }),
            Row("github", hour, received: 50),
        ];

        var figures = IntegrationFigures.Sum("shop", rows, FigureHours.WindowStart(Now));

        Assert.Equal((7L, 4L, 1L, 4L), (figures.Received, figures.Delivered, figures.DeadLettered, figures.RefusedTotal));
        Assert.Equal(new Dictionary<string, long> { ["malformed"] = 1, ["unverified"] = 3 }, figures.Refused);
        Assert.Null(figures.LastError);
    }

    [Fact]
    public void Last_error_is_the_latest_any_instance_saw()
    {
        var hour = FigureHours.Of(Now);
        HourFigures[] rows =
        [
            Row("shop", hour.AddHours(-2), lastError: (hour.AddHours(-2).AddMinutes(5), "delivery unverified (signature_mismatch)")),
            Row("shop", hour, lastError: (hour.AddMinutes(3), "dead-lettered rejected (HTTP 422)")),
            Row("shop", hour, lastError: (hour.AddMinutes(1), "delivery malformed")),
        ];

        var figures = IntegrationFigures.Sum("shop", rows, FigureHours.WindowStart(Now));

        Assert.Equal(new LastError(hour.AddMinutes(3), "dead-lettered rejected (HTTP 422)"), figures.LastError);
    }

    [Fact]
    public void An_integration_with_no_rows_has_zeros_and_no_error()
    {
        var figures = IntegrationFigures.Sum("quiet", [], FigureHours.WindowStart(Now));

        Assert.Equal((0L, 0L, 0L, 0L, 0), (figures.Received, figures.Delivered, figures.DeadLettered, figures.RefusedTotal, figures.Refused.Count));
        Assert.Null(figures.LastError);
    }

    private static HourFigures Row(
        string integration, DateTimeOffset hour, long received = 0, long delivered = 0, long deadLettered = 0,
        Dictionary<string, long>? refused = null, (DateTimeOffset At, string Reason)? lastError = null) =>
        new(integration, hour, received, refused ?? [], delivered, deadLettered, lastError?.At, lastError?.Reason);
}
