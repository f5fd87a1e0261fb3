using System.ComponentModel.DataAnnotations;

namespace Libromi.Gateway.Replays;

/// <summary>How replay jobs work through what they match. Section <c>Replays</c> (<c>Replays__*</c>).</summary>
public sealed class ReplayOptions
{
    public const string SectionName = "Replays";

    /// <summary>
    /// Items one <c>replay-jobs</c> message replays before the job's checkpoint is stored (default 200): small enough that
    /// one invocation ends in seconds, large enough that a year of deliveries is a few thousand messages.
    /// </summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 200;
}
