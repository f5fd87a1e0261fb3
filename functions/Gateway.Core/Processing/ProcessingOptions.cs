using System.ComponentModel.DataAnnotations;

namespace Libromi.Gateway.Processing;

/// <summary>How the processor retries, pauses and gives up. Section <c>Processing</c>.</summary>
public sealed class ProcessingOptions
{
    public const string SectionName = "Processing";

    /// <summary>Transient failures (5xx, timeouts) an operation may have before it is dead-lettered.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>First requeue delay after a transient failure; doubles per attempt, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest requeue delay after a transient failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Pause after a 429 that carried no retry hint (the first; later ones double it).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan RateLimitedFallbackPause { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one call may wait for a rate-limit permit before its work is put back (not counted as an attempt).
    /// The drain starts work only when a permit is expected within <c>Drain__SendHorizon</c> and runs at most
    /// <c>Queues__BatchSize</c> + <c>Queues__NewBatchThreshold</c> groups per lane, so at 60 a minute a call normally
    /// waits under half a minute; work whose permit is further away than this goes back at once, visible when
    /// capacity frees, instead of keeping an instance busy waiting.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan MaxPermitWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>While the token is rejected, how often one operation probes whether it works again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan AuthProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest visibility delay of a requeued message. A pause can be lifted early (a rotated token, another
    /// instance's success), and a message hidden for an hour would then wait for nothing.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "7.00:00:00")]
    public TimeSpan MaxRequeueDelay { get; set; } = TimeSpan.FromMinutes(5);
}
