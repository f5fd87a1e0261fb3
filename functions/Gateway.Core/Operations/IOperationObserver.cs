namespace Libromi.Gateway.Operations;

/// <summary>
/// Told by <see cref="Processing.OperationProcessor"/> how each contact of a message ended, before the message is deleted or
/// put back, so a feature can keep its own account (imports record progress through it). Registered in DI; the
/// processor calls every registered observer. An exception means "not recorded": the message is retried.
/// </summary>
public interface IOperationObserver
{
    /// <summary>
    /// Before delivery: the contacts of a (possibly redelivered) message that still need delivering. A message that
    /// reappears after a crash would otherwise deliver again what was already delivered and recorded.
    /// </summary>
    Task<IReadOnlyList<OperationEnvelope>> SkipFinishedAsync(IReadOnlyList<OperationEnvelope> contacts, CancellationToken cancellationToken);

    /// <summary>Every step of <paramref name="contact"/> reached Libromi.</summary>
    Task OnDeliveredAsync(OperationEnvelope contact, CancellationToken cancellationToken);

    /// <summary><paramref name="contact"/> was dead-lettered with <paramref name="record"/>.</summary>
    Task OnDeadLetteredAsync(OperationEnvelope contact, DeadLetterRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Where <paramref name="contact"/> stands after this pass, with the Libromi calls the pass made for it: told once
    /// per pass, after the outcome is durable (delivered and recorded, requeued or dead-lettered). Observers that keep
    /// no per-call account need not implement it.
    /// </summary>
    Task OnSettledAsync(OperationEnvelope contact, Settlement settlement, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>How one processing pass left an operation.</summary>
public enum SettlementKind
{
    /// <summary>Every step reached Libromi.</summary>
    Delivered,
    /// <summary>Put back to be tried again at <see cref="Settlement.NextAttemptAt"/>.</summary>
    Requeued,
    /// <summary>Dead-lettered with <see cref="Settlement.Reason"/>.</summary>
    DeadLettered,
    /// <summary>Its attribute update went out inside another operation's call (<see cref="Settlement.MergedInto"/>).</summary>
    Merged,
}

/// <summary>What a pass did for one operation: its outcome and every Libromi call it made for it, in order.</summary>
public sealed record Settlement(
    SettlementKind Kind,
    IReadOnlyList<LibromiCallRecord> Calls,
    DateTimeOffset? NextAttemptAt = null,
    string? Reason = null,
    string? MergedInto = null);

/// <summary>
/// One call to Libromi for one step: when, for which step kind, the how-manieth attempt of the operation, how it was
/// classified, the status code (null when no answer came) and Libromi's answer as the client kept it (truncated, never the token).
/// </summary>
public sealed record LibromiCallRecord(DateTimeOffset At, Operations.OperationKind Step, int Attempt, string Outcome, int? StatusCode, string? Answer);
