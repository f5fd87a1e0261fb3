using System.ComponentModel.DataAnnotations;

namespace Libromi.Gateway.Retention;

/// <summary>
/// What the retention sweep deletes, and how much per run. Section <c>Retention</c>; the schedule is the flat app setting
/// <see cref="ScheduleSetting"/> (see <see cref="Schedule"/>). Webhook delivery identities need no setting of their own:
/// they are deleted once <c>Gateway__Hooks__DeduplicationWindow</c> has passed, when they no longer count.
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>App setting of the schedule, read by both hosts.</summary>
    public const string ScheduleSetting = "RetentionSchedule";

    /// <summary>The Functions timer trigger's binding expression for <see cref="ScheduleSetting"/>.</summary>
    public const string ScheduleExpression = "%" + ScheduleSetting + "%";

    /// <summary>Hourly, on the hour: a backlog larger than one sweep's budget is gone within a day or so.</summary>
    public const string DefaultSchedule = "0 0 * * * *";

    /// <summary>
    /// When the sweep runs: an NCRONTAB expression with seconds, in UTC, as the Functions timer trigger reads it. It is
    /// the flat setting <c>RetentionSchedule</c>, not <c>Retention__Schedule</c>, because the platform resolves a timer's
    /// <c>%name%</c> by the literal setting name, and nested names are not resolved reliably on Linux plans (such as
    /// Flex Consumption); the standalone host reads the same setting so one value drives both.
    /// </summary>
    public string Schedule { get; internal set; } = DefaultSchedule;

    /// <summary>
    /// How long a finished import (every row delivered or failed) stays readable after its last row finished; then its
    /// staged payloads, checkpoints and failed rows are deleted and <c>GET /api/imports/{id}</c> answers 404. At least a
    /// day, far beyond any queue message's hold, so no redelivered message of the import can still need its checkpoints.
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan FinishedImports { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long the trail (each operation's state and Libromi calls, and the webhook delivery log with its bodies) is kept,
    /// in whole UTC days: a day is deleted, in one request, once all of it is older than this. Default 7 days.
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Trail { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a scenario step's intent and outcome row is kept after its POST. It must outlive every message that could
    /// carry the step again (a queue message lives at most 7 days), or a redelivery would find no row and send twice.
    /// </summary>
    [Range(typeof(TimeSpan), "8.00:00:00", "3650.00:00:00")]
    public TimeSpan ScenarioIntents { get; set; } = TimeSpan.FromDays(8);

    /// <summary>
    /// Most entities one sweep deletes (and so at most this many / 100 table transactions, one at a time). What is left
    /// waits for the next sweep, so a first sweep over a large backlog never hogs the storage account.
    /// </summary>
    [Range(100, 100_000)]
    public int MaxDeletesPerSweep { get; set; } = 10_000;
}
