using Libromi.Gateway.Queueing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Storage;
using Libromi.Gateway.Trail;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.DeadLetters;

/// <summary>
/// Puts dead letters back into their lane through <see cref="OperationQueues.EnqueueAsync(Operations.OperationEnvelope, TimeSpan?, CancellationToken)"/>, so the rate
/// limit and lane priority apply as to any operation. The attempt count restarts at zero; the history is
/// kept, with a line saying when it was replayed. The operation is stored before the dead letter is
/// removed: a crash in between replays it twice (harmless, Libromi's updates are idempotent), never zero times.
/// </summary>
public sealed partial class DeadLetterReplayer(
    DeadLetterStore store,
    OperationQueues queues,
    DrainWakeups wakeups,
    TrailWriter trail,
    IOptions<TrailOptions> trailOptions,
    [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider,
    ILogger<DeadLetterReplayer> logger)
{
    /// <summary>Who the audit log names: the standalone host and Azure both admit admin routes by one shared key.</summary>
    public const string Actor = "admin key";

    public async Task<ReplayResult> ReplayAsync(DeadLetterEntry entry, CancellationToken cancellationToken = default)
    {
        if (entry.Record.Envelope is not { } envelope)
        {
            return ReplayResult.NotReplayable;
        }
        var now = timeProvider.GetUtcNow();
        var replayed = envelope with
        {
            Attempt = 0,
            History = [.. envelope.History ?? [], new AttemptRecord(now, "Replayed", null, $"Replayed from dead letter {entry.Id} by {Actor}")],
        };
        var storing = wakeups.BeginStoring();
        await queues.EnqueueAsync(replayed, cancellationToken: cancellationToken).ConfigureAwait(false);
        await wakeups.NotifyAsync(storing, cancellationToken).ConfigureAwait(false);
        await RecordReplayAsync(replayed, now, cancellationToken).ConfigureAwait(false);
        if (DeadLetterKey.TryParse(entry.Id, out var key))
        {
            await store.DeleteAsync(key.Value, cancellationToken).ConfigureAwait(false);
        }
        LogReplayed(logger, Actor, entry.Id, envelope.OperationId, envelope.Lane.ToString());
        return ReplayResult.Replayed;
    }

    /// <summary>The operation's trail shows it queued again; a trail that cannot be written does not undo the replay.</summary>
    private async Task RecordReplayAsync(OperationEnvelope replayed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!trailOptions.Value.Enabled)
        {
            return;
        }
        try
        {
            await trail.WriteAsync(OperationTrail.ReplayedRows(replayed, now), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            LogReplayNotTrailed(logger, replayed.OperationId, exception.GetType().Name);
        }
    }

    /// <summary>Deletes one dead letter for good, with an audit log line naming who and what.</summary>
    public async Task<bool> DeleteAsync(DeadLetterKey key, CancellationToken cancellationToken = default)
    {
        var deleted = await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        if (deleted)
        {
            LogDeleted(logger, Actor, key.Id);
        }
        return deleted;
    }

    [LoggerMessage(EventId = 3101, EventName = "DeadLetterReplayed", Level = LogLevel.Information, Message = "{Actor} replayed dead letter {DeadLetterId} (operation {OperationId}) into the {Lane} lane")]
    private static partial void LogReplayed(ILogger logger, string actor, string deadLetterId, string operationId, string lane);

    [LoggerMessage(EventId = 3104, EventName = "DeadLetterReplayNotTrailed", Level = LogLevel.Warning, Message = "Replayed operation {OperationId}, but its trail could not be updated ({Failure}); it shows queued again once processed")]
    private static partial void LogReplayNotTrailed(ILogger logger, string operationId, string failure);

    [LoggerMessage(EventId = 3102, EventName = "DeadLetterDeleted", Level = LogLevel.Warning, Message = "{Actor} deleted dead letter {DeadLetterId}")]
    private static partial void LogDeleted(ILogger logger, string actor, string deadLetterId);
}

public enum ReplayResult
{
    Replayed,
    /// <summary>An unreadable message has no envelope to put back; it stays until deleted.</summary>
    NotReplayable,
}
