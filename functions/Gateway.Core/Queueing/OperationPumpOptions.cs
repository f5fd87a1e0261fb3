using System.ComponentModel.DataAnnotations;

namespace Libromi.Gateway.Queueing;

/// <summary>
/// The standalone host's queue listener, mirroring the Functions queue trigger's settings in host.json
/// (<c>extensions.queues</c>) so both hosts behave alike. Section <c>Queues</c>.
/// </summary>
public sealed class OperationPumpOptions : IValidatableObject
{
    public const string SectionName = "Queues";

    /// <summary>Messages fetched per receive (host.json <c>batchSize</c>; Azure allows at most 32).</summary>
    [Range(1, 32)]
    public int BatchSize { get; set; } = 16;

    /// <summary>A new batch is fetched once in-flight messages drop to this number (host.json <c>newBatchThreshold</c>).</summary>
    [Range(0, 64)]
    public int NewBatchThreshold { get; set; } = 8;

    /// <summary>Deliveries of one message before it goes to <c>&lt;queue&gt;-poison</c> (host.json <c>maxDequeueCount</c>).</summary>
    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Delay before a message whose processing threw becomes visible again (host.json <c>visibilityTimeout</c>).</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait between polls of an empty queue (host.json <c>maxPollingInterval</c>).</summary>
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a received message stays invisible to other instances; the drain renews it when half has passed, for
    /// as long as it holds the message. It is also how long what a killed instance held stays hidden before another
    /// instance can send it: 30 seconds keeps recovery within a minute, at one renewal per held message every 15
    /// seconds (docs/rate-limits.md, "Recovery and what it costs"). Azure caps a message's visibility at 7 days.
    /// Its old name <c>Queues:MessageLease</c> is still read when this one is absent (<see cref="MessageHoldSetting"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MessageHold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most messages one lane holds, started or waiting, while it reads a backlog of attribute updates deep so that
    /// updates for one contact merge into one call (no host.json equivalent: the Functions trigger cannot merge).
    /// </summary>
    [Range(1, 4096)]
    public int MaxHeldMessages { get; set; } = 256;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A lane receives only while a whole batch fits under the bound, and needs room for what the trigger keeps in flight.
        if (MaxHeldMessages < BatchSize + NewBatchThreshold)
        {
            yield return new ValidationResult(
                $"Queues:MaxHeldMessages ({MaxHeldMessages}) must be at least Queues:BatchSize + Queues:NewBatchThreshold ({BatchSize + NewBatchThreshold}).",
                [nameof(MaxHeldMessages)]);
        }
    }
}
