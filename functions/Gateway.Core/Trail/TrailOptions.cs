using System.ComponentModel.DataAnnotations;

namespace Libromi.Gateway.Trail;

/// <summary>What the trail of operations and webhook deliveries keeps. Section <c>Trail</c> (<c>Trail__*</c>).</summary>
public sealed class TrailOptions
{
    public const string SectionName = "Trail";

    /// <summary>
    /// Whether operations and deliveries are recorded (default true). Off, <c>GET /api/operations/{id}</c> and the
    /// delivery log find nothing new; the pipeline benchmark turns it off to measure what the trail costs.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Most bytes of a webhook body the delivery log keeps (default 16 KiB); a longer body is kept cut, and marked so.
    /// A table property holds at most 64 KiB.
    /// </summary>
    [Range(0, 60 * 1024)]
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Most characters of one Libromi answer the trail keeps per call (default 1024).</summary>
    [Range(0, 8 * 1024)]
    public int MaxAnswerChars { get; set; } = 1024;

    /// <summary>
    /// How long rows written at ingest (an operation's "queued" row, a delivery's log row) may wait to be written together
    /// with others (default 200 ms): at high ingest rates many share one table request, so the trail costs about one
    /// write per operation, not two. Ingest never waits for it; the trail lags the 202 answer by at most this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:05")]
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(200);
}
