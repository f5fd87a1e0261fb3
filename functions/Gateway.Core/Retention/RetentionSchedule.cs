using NCrontab;

namespace Libromi.Gateway.Retention;

/// <summary>
/// Reads <see cref="RetentionOptions.Schedule"/> with NCrontab, the parser the Functions timer trigger uses, so the
/// standalone host runs the sweep at the same instants as the timer would.
/// </summary>
public static class RetentionSchedule
{
    private static readonly CrontabSchedule.ParseOptions WithSeconds = new() { IncludingSeconds = true };

    public static bool IsValid(string? expression) =>
        !string.IsNullOrWhiteSpace(expression) && CrontabSchedule.TryParse(expression, WithSeconds) is not null;

    /// <summary>The first run strictly after <paramref name="after"/>, in UTC.</summary>
    public static DateTimeOffset NextRun(string expression, DateTimeOffset after)
    {
        var schedule = CrontabSchedule.TryParse(expression, WithSeconds)
            ?? throw new FormatException($"{RetentionOptions.ScheduleSetting} is not an NCRONTAB expression with seconds.");
        var next = schedule.GetNextOccurrence(after.UtcDateTime);
        return new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc));
    }
}
