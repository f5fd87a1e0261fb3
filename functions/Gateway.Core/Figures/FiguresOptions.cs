using System.ComponentModel.DataAnnotations;

namespace Libromi.Gateway.Figures;

/// <summary>The per-integration figures of the status page. Section <c>Figures</c> (<c>Figures__*</c>).</summary>
public sealed class FiguresOptions
{
    public const string SectionName = "Figures";

    /// <summary>
    /// How often each instance writes what it counted (default 15 s). Figures lag by at most this, and an instance that
    /// crashes loses at most this much of its counts: they are a dashboard, the trail stays the record.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(15);
}
