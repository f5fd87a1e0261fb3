using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Libromi.Gateway.Queueing;

/// <summary>Reads each queue's approximate depth and the age of its oldest visible message (peeking, never receiving).</summary>
/// <remarks>Ages compare storage's own <c>InsertedOn</c> with real time, so this takes the default clock, not <see cref="Operations.GatewayClock"/>.</remarks>
public sealed class QueueInspector(OperationQueues queues, TimeProvider timeProvider)
{
    public async Task<IReadOnlyList<LaneSample>> SampleAsync(CancellationToken cancellationToken = default)
    {
        var samples = new List<LaneSample>();
        var now = timeProvider.GetUtcNow();
        foreach (var queue in queues.All)
        {
            samples.Add(await SampleAsync(queue, now, cancellationToken).ConfigureAwait(false));
        }
        return samples;
    }

    private static async Task<LaneSample> SampleAsync(QueueClient queue, DateTimeOffset now, CancellationToken cancellationToken)
    {
        QueueProperties properties = await queue.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
        // Peek shows visible messages only: one put back with a delay, or held by a worker, is not "waiting".
        PeekedMessage[] first = await queue.PeekMessagesAsync(1, cancellationToken).ConfigureAwait(false);
        var oldest = first.FirstOrDefault()?.InsertedOn;
        return new LaneSample(queue.Name, properties.ApproximateMessagesCount, oldest is { } inserted ? Max(now - inserted, TimeSpan.Zero) : null);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>A queue's approximate depth and the age of its oldest visible message (null when none is visible).</summary>
public sealed record LaneSample(string Queue, int Depth, TimeSpan? OldestAge);
