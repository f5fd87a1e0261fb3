using Libromi.Gateway.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Trail;

/// <summary>
/// Keeps each operation's trail as the processor settles it: one table request per outcome (summary, index rows and
/// the calls of the pass together). A trail that cannot be written is logged, never retried through the message: the
/// operation's fate is already durable, and redelivering it to write an account of it would spend Libromi quota.
/// </summary>
public sealed partial class TrailRecorder(
    OperationTrail trail,
    TrailWriter writer,
    ILibromiTokenProvider tokens,
    StorageDeadline storageDeadline,
    IOptions<TrailOptions> options,
    [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider,
    ILogger<TrailRecorder> logger) : IOperationObserver
{
    public Task<IReadOnlyList<OperationEnvelope>> SkipFinishedAsync(IReadOnlyList<OperationEnvelope> contacts, CancellationToken cancellationToken) =>
        Task.FromResult(contacts);

    public Task OnDeliveredAsync(OperationEnvelope contact, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task OnDeadLetteredAsync(OperationEnvelope contact, DeadLetterRecord record, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task OnSettledAsync(OperationEnvelope contact, Settlement settlement, CancellationToken cancellationToken)
    {
        // A message put back without a call (no permit came in time) changed nothing an operator could see.
        if (!options.Value.Enabled || (settlement.Kind == SettlementKind.Requeued && settlement.Calls.Count == 0)
            || !TrailKey.TryParse(contact.OperationId, out var key))
        {
            return;
        }
        try
        {
            using var deadline = storageDeadline.Start(cancellationToken);
            var state = await StateOfAsync(contact, settlement, key.Value, deadline.Token).ConfigureAwait(false);
            var token = await CurrentTokenAsync(deadline.Token).ConfigureAwait(false);
            var rows = OperationTrail.SettledRows(contact, settlement, state, timeProvider.GetUtcNow(), options.Value.MaxAnswerChars, token);
            await writer.WriteAsync(rows, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            LogNotRecorded(logger, contact.OperationId, settlement.Kind, exception.GetType().Name);
        }
    }

    private async Task<string> StateOfAsync(OperationEnvelope contact, Settlement settlement, TrailKey key, CancellationToken cancellationToken)
    {
        switch (settlement.Kind)
        {
            case SettlementKind.Delivered:
                return OperationStates.Delivered;
            case SettlementKind.Merged:
                return OperationStates.Merged;
            case SettlementKind.Requeued:
                return OperationStates.Sending;
            default:
                // Dead letters are rare: one read tells whether earlier steps (this pass or an earlier one) went through.
                if (settlement.Calls.Any(c => c.Outcome == nameof(Libromi.LibromiOutcome.Delivered)))
                {
                    return OperationStates.PartlyDelivered;
                }
                var received = await trail.GetStepCountAsync(key, cancellationToken).ConfigureAwait(false);
                return received is { } count && contact.Steps.Count < count ? OperationStates.PartlyDelivered : OperationStates.DeadLettered;
        }
    }

    /// <summary>The token, to make sure no answer that echoes it is kept; null when it cannot be read (the pattern check still applies).</summary>
    private async Task<string?> CurrentTokenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 9102, EventName = "TrailNotRecorded", Level = LogLevel.Warning,
        Message = "Could not record the trail of {OperationId} ({Settlement}) ({Failure}); the operation itself is settled")]
    private static partial void LogNotRecorded(ILogger logger, string operationId, SettlementKind settlement, string failure);
}
