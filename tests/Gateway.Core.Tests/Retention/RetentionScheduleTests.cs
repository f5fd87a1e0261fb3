using Libromi.Gateway.Retention;

namespace Libromi.Gateway.Tests.Retention;

public sealed class RetentionScheduleTests
{
    [Fact]
    public void Default_schedule_runs_at_the_top_of_every_hour()
    {
        var now = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(now.AddHours(1), RetentionSchedule.NextRun(RetentionOptions.DefaultSchedule, now));
        Assert.Equal(now.AddHours(1), RetentionSchedule.NextRun(RetentionOptions.DefaultSchedule, now.AddMinutes(59).AddSeconds(59.5)));
    }

    [Fact]
    public void Schedule_is_read_in_utc_whatever_the_offset_of_now()
    {
        var now = new DateTimeOffset(2026, 11, 28, 13, 30, 0, TimeSpan.FromHours(2));

        Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero), RetentionSchedule.NextRun(RetentionOptions.DefaultSchedule, now));
    }

    [Theory]
    [InlineData("0 */15 * * * *", true)]
    [InlineData("0 30 3 * * *", true)]
    [InlineData("0 * * * *", false)] // five fields: the timer trigger wants seconds first
    [InlineData("hourly", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_ncrontab_expressions_with_seconds_are_valid(string? expression, bool valid)
    {
        Assert.Equal(valid, RetentionSchedule.IsValid(expression));
    }
}
