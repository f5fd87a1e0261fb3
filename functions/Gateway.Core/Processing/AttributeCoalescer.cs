using System.Text.Json.Nodes;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;

namespace Libromi.Gateway.Processing;

/// <summary>
/// Finds queued operations for the same contact that can share one <c>PUT /contact/{phone}/attributes</c>
/// (Libromi advises batching attribute changes) and merges them: later values win, and a null or empty value,
/// which removes an attribute at Libromi, is kept as a value like any other.
/// </summary>
/// <remarks>
/// An envelope takes part when its steps are one or more attribute updates followed only by other kinds of
/// step (a staff assignment): those follow the merged call, so nothing is reordered across an attribute update.
/// Import messages are left alone: the import flow packs its rows already, and tracks each row's progress.
/// </remarks>
public static class AttributeCoalescer
{
    /// <summary>One received message: its text, when the queue stored it, and its position in the batch.</summary>
    public readonly record struct Candidate(string MessageText, DateTimeOffset? InsertedOn);

    /// <summary>The envelope of <paramref name="messageText"/> if it can be merged with others, else null.</summary>
    public static OperationEnvelope? Read(string messageText) =>
        EnvelopeSerializer.TryDeserialize(messageText, out var envelope, out _)
        && envelope is { Then: null, Import: null }
        && PhoneNumber.TryParse(envelope.PhoneNumber, null, out _, out _)
        && LeadingUpdates(envelope) is > 0 and var leading
        && envelope.Steps.Skip(leading).All(step => step.Kind != OperationKind.UpdateAttributes)
            ? envelope
            : null;

    /// <summary>How many of the envelope's first steps are attribute updates.</summary>
    public static int LeadingUpdates(OperationEnvelope envelope) =>
        envelope.Steps.TakeWhile(step => step.Kind == OperationKind.UpdateAttributes).Count();

    /// <summary>
    /// Groups of batch positions to process together: every contact with two or more mergeable messages forms
    /// one group in arrival order (enqueue time, then position); every other message is a group of its own.
    /// Groups come in the arrival order of their first message.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<int>> Group(IReadOnlyList<Candidate> batch)
    {
        var arrival = Enumerable.Range(0, batch.Count)
            .OrderBy(i => batch[i].InsertedOn ?? DateTimeOffset.MaxValue)
            .ThenBy(i => i)
            .ToArray();
        var groups = new List<List<int>>();
        var byContact = new Dictionary<(string Phone, Lane Lane), List<int>>();
        foreach (var index in arrival)
        {
            if (Read(batch[index].MessageText) is not { } envelope)
            {
                groups.Add([index]);
                continue;
            }
            var key = (envelope.PhoneNumber, envelope.Lane);
            if (byContact.TryGetValue(key, out var group))
            {
                group.Add(index);
                continue;
            }
            group = [index];
            byContact[key] = group;
            groups.Add(group);
        }
        return groups;
    }

    /// <summary>One attribute update with every envelope's leading updates applied in order.</summary>
    public static OperationStep Merge(IEnumerable<OperationEnvelope> envelopes)
    {
        var merged = new JsonObject();
        foreach (var envelope in envelopes)
        {
            foreach (var step in envelope.Steps.Take(LeadingUpdates(envelope)))
            {
                foreach (var (name, value) in step.Attributes ?? [])
                {
                    merged[name] = value?.DeepClone();
                }
            }
        }
        return OperationStep.UpdateAttributes(merged);
    }
}
