using Libromi.Gateway.Queueing;

namespace Libromi.Gateway.Processing;

/// <summary>
/// Told by <see cref="OperationProcessor"/> how each contact of a message ended, before the message is deleted or
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
}
