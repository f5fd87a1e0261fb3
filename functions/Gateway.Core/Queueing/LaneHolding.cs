namespace Libromi.Gateway.Queueing;

/// <summary>
/// When one lane of the standalone listener receives and how many of its groups run; pure policy over
/// <see cref="ContactGroups"/>, no I/O.
/// </summary>
/// <remarks>
/// A lane with room (nothing waiting, at most <c>NewBatchThreshold</c> groups running) fetches a batch, as the
/// Functions trigger does, and a trickle starts at once. A receive that comes back full with attribute updates in it
/// means a backlog: the lane keeps reading, before starting anything, until it holds <c>MaxHeldMessages</c>, so the
/// updates queued for one contact meet in its open group. A full batch of messages that cannot merge (import rows)
/// is not read deeper: holding them saves no call and only hides them from other instances.
/// </remarks>
public sealed class LaneHolding(int batchSize, int newBatchThreshold, int maxHeldMessages)
{
    private bool _readingDeep;

    public LaneHolding(OperationPumpOptions options)
        : this(options.BatchSize, options.NewBatchThreshold, options.MaxHeldMessages)
    {
    }

    public ContactGroups Groups { get; } = new();

    /// <summary>The most groups running at once: as many invocations as the Functions trigger runs per queue and instance.</summary>
    public int MaxRunningGroups => batchSize + newBatchThreshold;

    /// <summary>Nothing waits to start and few groups run: the point at which the Functions trigger fetches its next batch.</summary>
    public bool HasRoom => Groups.WaitingGroups == 0 && Groups.RunningGroups <= newBatchThreshold;

    /// <summary>The last receive came back full with attribute updates in it: read on before starting anything.</summary>
    public bool IsReadingDeep => _readingDeep && WantsMessages;

    /// <summary>Whether to receive a batch of <c>BatchSize</c> now: there is room or a backlog, and a full batch stays within the bound.</summary>
    public bool WantsMessages => (HasRoom || _readingDeep) && Groups.HeldMessages + batchSize <= maxHeldMessages;

    /// <summary>Records a receive of up to <c>BatchSize</c>: <paramref name="receivedCount"/> came back, <paramref name="held"/> of them to hold (poison is handled apart).</summary>
    public void Received(int receivedCount, IEnumerable<HeldMessage> held)
    {
        var messages = held.ToArray();
        _readingDeep = receivedCount >= batchSize && messages.Any(message => message.Mergeable);
        foreach (var message in messages)
        {
            Groups.Hold(message);
        }
    }

    /// <summary>Starts as many waiting groups as there are free running slots.</summary>
    public IReadOnlyList<MessageGroup> StartGroups() => Groups.Start(MaxRunningGroups - Groups.RunningGroups);
}
