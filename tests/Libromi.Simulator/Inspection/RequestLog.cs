namespace Libromi.Simulator.Inspection;

/// <summary>Every request the simulator answered outside <c>/_simulator</c>, in arrival order.</summary>
public sealed class RequestLog
{
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _entries = [];
    private long _lastSequence;

    public long NextSequence() => Interlocked.Increment(ref _lastSequence);

    public void Add(RecordedRequest entry)
    {
        lock (_gate)
        {
            _entries.Add(entry);
        }
    }

    /// <summary>Entries sorted by arrival: a slow request is recorded when answered but keeps its place.</summary>
    public IReadOnlyList<RecordedRequest> Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries.OrderBy(entry => entry.Sequence)];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }
}
