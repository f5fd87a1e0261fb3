using System.Text.Json.Nodes;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Queueing;

/// <summary>
/// Decides which queued operations for one contact may share one <c>PUT /contact/{phone}/attributes</c>
/// (Libromi advises batching attribute changes) and merges them: later values win, and a null or empty value,
/// which removes an attribute at Libromi, is kept as a value like any other. Which held messages go together is
/// <see cref="ContactGroups"/>'s decision.
/// </summary>
/// <remarks>
/// An envelope takes part when its steps are one or more attribute updates followed only by other kinds of
/// step (a staff assignment): those follow the merged call, so nothing is reordered across an attribute update.
/// Import messages are left alone: the import flow packs its rows already, and tracks each row's progress.
/// </remarks>
public static class AttributeCoalescer
{
    /// <summary>The envelope of <paramref name="messageText"/> if it can be merged with others, else null.</summary>
    public static OperationEnvelope? Read(string messageText) =>
        EnvelopeSerializer.TryDeserialize(messageText, out var envelope, out _) && CanMerge(envelope) ? envelope : null;

    /// <summary>
    /// Whether the envelope's leading attribute updates may share a call with other envelopes for its contact: one
    /// contact, not an import row, and no attribute update after another kind of step.
    /// </summary>
    public static bool CanMerge(OperationEnvelope envelope) =>
        envelope is { Then: null, Import: null }
        && PhoneNumber.TryParse(envelope.PhoneNumber, null, out _, out _)
        && LeadingUpdates(envelope) is > 0 and var leading
        && envelope.Steps.Skip(leading).All(step => step.Kind != OperationKind.UpdateAttributes);

    /// <summary>How many of the envelope's first steps are attribute updates.</summary>
    public static int LeadingUpdates(OperationEnvelope envelope) =>
        envelope.Steps.TakeWhile(step => step.Kind == OperationKind.UpdateAttributes).Count();

    /// <summary>
    /// One attribute update with every envelope's leading updates applied in the order the gateway accepted them
    /// (<see cref="OperationEnvelope.ReceivedAt"/>; ties keep the given order). The order a queue hands messages out is
    /// not that order: a message put back at the end of a run, or whose hold lapsed, comes again after later ones, and
    /// applied as received it would let an older value overwrite a newer one.
    /// </summary>
    public static OperationStep Merge(IEnumerable<OperationEnvelope> envelopes)
    {
        var merged = new JsonObject();
        foreach (var envelope in envelopes.OrderBy(e => e.ReceivedAt))
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
