namespace Libromi.Gateway.Queueing;

/// <summary>
/// The messages one lane of the standalone listener holds, as a line of groups per contact; pure bookkeeping, no I/O.
/// An attribute update joins its contact's open group, which keeps taking them until it starts; anything else for
/// the contact closes the line's open group and waits behind it. A contact's groups run one at a time in arrival
/// order, so merging never reorders one contact's operations. A message naming no single contact stands alone.
/// </summary>
/// <remarks>Not thread-safe: the listener calls it under its own lock.</remarks>
public sealed class ContactGroups
{
    private readonly Dictionary<string, List<MessageGroup>> _lines = new(StringComparer.Ordinal);
    private readonly List<MessageGroup> _alone = [];
    private readonly Dictionary<string, (HeldMessage Message, MessageGroup Group)> _held = new(StringComparer.Ordinal);
    private long _arrivals;

    /// <summary>Messages held, started or not.</summary>
    public int HeldMessages => _held.Count;

    /// <summary>Groups not started yet.</summary>
    public int WaitingGroups { get; private set; }

    /// <summary>Groups started and not completed.</summary>
    public int RunningGroups { get; private set; }

    /// <summary>
    /// Holds a received message. False when it is already held: its hold lapsed and it was received again, so the
    /// held copy takes the new pop receipt (the old one no longer works).
    /// </summary>
    public bool Hold(HeldMessage message)
    {
        if (_held.TryGetValue(message.MessageId, out var held))
        {
            held.Message.Held(message.PopReceipt, message.HeldSince);
            return false;
        }
        message.Arrival = _arrivals++;
        MessageGroup group;
        if (message.Contact is not { } contact)
        {
            group = new MessageGroup(message, acceptsMore: false);
            _alone.Add(group);
            WaitingGroups++;
        }
        else
        {
            if (!_lines.TryGetValue(contact, out var line))
            {
                line = [];
                _lines[contact] = line;
            }
            if (message.Mergeable && line is [.., { IsOpen: true } open])
            {
                open.Join(message);
                group = open;
            }
            else
            {
                group = new MessageGroup(message, acceptsMore: message.Mergeable && !message.EndsGroup);
                line.Add(group);
                WaitingGroups++;
            }
        }
        _held[message.MessageId] = (message, group);
        return true;
    }

    /// <summary>
    /// Starts at most <paramref name="count"/> groups, oldest first arrival first: the first group of each contact's
    /// line unless it is running already, and messages that stand alone. A started group takes no more messages.
    /// </summary>
    public IReadOnlyList<MessageGroup> Start(int count)
    {
        if (count <= 0 || WaitingGroups == 0)
        {
            return [];
        }
        var starting = _lines.Values.Select(line => line[0]).Concat(_alone)
            .Where(group => !group.IsStarted)
            .OrderBy(group => group.FirstArrival)
            .Take(count)
            .ToArray();
        foreach (var group in starting)
        {
            group.Start();
        }
        WaitingGroups -= starting.Length;
        RunningGroups += starting.Length;
        return starting;
    }

    /// <summary>A started group's messages are settled (deleted or put back): they leave, and the contact's next group may start.</summary>
    public void Complete(MessageGroup group)
    {
        if (!group.IsStarted)
        {
            throw new InvalidOperationException("Only a started group can complete.");
        }
        foreach (var message in group.Messages)
        {
            _held.Remove(message.MessageId);
        }
        RemoveGroup(group);
        RunningGroups--;
    }

    /// <summary>
    /// Drops a message whose hold was lost before its group started (another instance may have it now). False when it
    /// is not held, or its group has started: the running group settles it.
    /// </summary>
    public bool Forget(HeldMessage message)
    {
        if (!_held.TryGetValue(message.MessageId, out var held) || held.Message != message || held.Group.IsStarted)
        {
            return false;
        }
        _held.Remove(message.MessageId);
        held.Group.Remove(message);
        if (held.Group.Messages.Count == 0)
        {
            RemoveGroup(held.Group);
            WaitingGroups--;
        }
        return true;
    }

    /// <summary>Held messages, started or not, whose hold is half over.</summary>
    public IReadOnlyList<HeldMessage> DueForRenewal(DateTimeOffset now, TimeSpan hold) =>
        [.. _held.Values.Select(held => held.Message).Where(message => message.IsRenewalDue(now, hold))];

    /// <summary>Lets go of every message whose group has not started (shutting down); returns them in arrival order.</summary>
    public IReadOnlyList<HeldMessage> ReleaseWaiting()
    {
        var waiting = _held.Values.Where(held => !held.Group.IsStarted).Select(held => held.Message).OrderBy(message => message.Arrival).ToArray();
        foreach (var message in waiting)
        {
            _held.Remove(message.MessageId);
        }
        foreach (var (contact, line) in _lines.ToArray())
        {
            line.RemoveAll(group => !group.IsStarted);
            if (line.Count == 0)
            {
                _lines.Remove(contact);
            }
        }
        _alone.RemoveAll(group => !group.IsStarted);
        WaitingGroups = 0;
        return waiting;
    }

    private void RemoveGroup(MessageGroup group)
    {
        if (group.Contact is not { } contact)
        {
            _alone.Remove(group);
            return;
        }
        var line = _lines[contact];
        line.Remove(group);
        if (line.Count == 0)
        {
            _lines.Remove(contact);
        }
    }
}
