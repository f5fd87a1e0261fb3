using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Imports;

/// <summary>
/// Keeps each import's progress as the processor delivers its rows: the chunk's checkpoint after every row, and one
/// entity per failed row. Both writes are idempotent, so a message redelivered after a crash neither counts a row
/// twice nor (thanks to <see cref="SkipFinishedAsync"/>) delivers again what was already recorded.
/// </summary>
public sealed class ImportProgressRecorder(ImportTable table, TimeProvider timeProvider) : IOperationObserver
{
    private const string SourcePrefix = "import:";

    public async Task<IReadOnlyList<OperationEnvelope>> SkipFinishedAsync(IReadOnlyList<OperationEnvelope> contacts, CancellationToken cancellationToken)
    {
        if (contacts.Count == 0 || ImportIdOf(contacts[0]) is not { } importId || contacts[0].Import is not { } first)
        {
            return contacts;
        }
        var processed = await table.GetProcessedAsync(importId, first.Chunk, cancellationToken).ConfigureAwait(false);
        return processed <= first.Seq ? contacts : [.. contacts.Where(c => c.Import is not { } position || position.Chunk != first.Chunk || position.Seq >= processed)];
    }

    public Task OnDeliveredAsync(OperationEnvelope contact, CancellationToken cancellationToken) =>
        ImportIdOf(contact) is { } importId && contact.Import is { } position
            ? table.SetProcessedAsync(importId, position.Chunk, position.Seq + 1, timeProvider.GetUtcNow(), cancellationToken)
            : Task.CompletedTask;

    public async Task OnDeadLetteredAsync(OperationEnvelope contact, DeadLetterRecord record, CancellationToken cancellationToken)
    {
        if (ImportIdOf(contact) is not { } importId || contact.Import is not { } position)
        {
            return;
        }
        // The failed row first: a crash between the two writes redelivers the row and records the same entity again.
        await table.RecordFailedAsync(importId, new FailedRow
        {
            Line = position.Line,
            PhoneNumber = contact.PhoneNumber,
            ReasonClass = record.ReasonClass,
            Reason = record.Reason,
            StatusCode = record.StatusCode,
            FieldErrors = record.FieldErrors,
            FailedAt = record.DeadLetteredAt,
            OperationId = contact.OperationId,
        }, cancellationToken).ConfigureAwait(false);
        await table.SetProcessedAsync(importId, position.Chunk, position.Seq + 1, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    private static string? ImportIdOf(OperationEnvelope contact) =>
        contact.Source.StartsWith(SourcePrefix, StringComparison.Ordinal) && contact.Import is not null ? contact.Source[SourcePrefix.Length..] : null;
}
