using System.ComponentModel.DataAnnotations;

namespace Libromi.Gateway.Queueing;

/// <summary>
/// How the drain runs: one instance at a time sends the backlog, in runs that end when nothing can be sent soon.
/// Section <c>Drain</c>. The reasoning behind each default is in docs/rate-limits.md, "One drain, on both hosts".
/// </summary>
public sealed class DrainOptions : IValidatableObject
{
    public const string SectionName = "Drain";

    /// <summary>
    /// How long the instance that drains holds the drain without renewing it (a blob lease; Azure allows 15 to 60
    /// seconds). A killed instance's drain passes to another after at most this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:15", "00:01:00")]
    public TimeSpan LeadershipTerm { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A run ends once both queues have been empty this long with nothing held. New work wakes the drain again
    /// (ingest writes a wake message); see <see cref="WakeSpacing"/> for why the two are tied.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan IdleExit { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Work whose next permit (or the end of a pause) is further away than this is not started: it goes back to its
    /// queue, visible when capacity frees, and a run with nothing else to send ends instead of waiting.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan SendHorizon { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longest run: then it hands what it holds back and wakes the drain again at once, so no invocation approaches
    /// the Functions timeout (30 minutes on Flex Consumption by default).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "00:25:00")]
    public TimeSpan MaxRunTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The standalone host's backstop: how often an instance tries to drain without a wake message, which is what
    /// brings back delayed work and a killed instance's backlog. The Functions app does the same with a timer
    /// trigger every 30 seconds (<see cref="DrainSchedule.Cron"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Backstop { get; set; } = DrainSchedule.Interval;

    /// <summary>
    /// Ingest writes at most one wake message per instance in this time. Half of <see cref="IdleExit"/>: a run only
    /// ends <see cref="IdleExit"/> after it last saw a message, so work stored after a suppressed wake always finds
    /// either a run still polling or a wake of its own (docs/rate-limits.md, "Why a skipped wake loses nothing").
    /// </summary>
    public TimeSpan WakeSpacing => IdleExit / 2;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SendHorizon >= MaxRunTime)
        {
            yield return new ValidationResult("Drain:SendHorizon must be shorter than Drain:MaxRunTime.", [nameof(SendHorizon)]);
        }
    }
}

/// <summary>The drain's backstop schedule, shared by the Functions timer trigger and the standalone host.</summary>
public static class DrainSchedule
{
    /// <summary>Every 30 seconds (NCRONTAB with seconds, as the Functions timer trigger reads it).</summary>
    public const string Cron = "*/30 * * * * *";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
}
