using Libromi.Gateway.DeadLetters;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.EndToEnd.Operations;

/// <summary>Writes dead letters straight into the store, for tests of listing, filtering and replay that need many or old ones.</summary>
internal static class DeadLetterSeed
{
    public static Task<DeadLetterEntry> AddAsync(
        DeadLetterStore store, DateTimeOffset at, string source = "api", string reasonClass = DeadLetterReasons.Rejected, string phone = "447700900700", Lane lane = Lane.Realtime) =>
        store.AddAsync(new DeadLetterRecord
        {
            Envelope = new OperationEnvelope
            {
                OperationId = Guid.CreateVersion7(at).ToString("N"),
                PhoneNumber = phone,
                Steps = [OperationStep.EnsureContact()],
                Source = source,
                Lane = lane,
                ReceivedAt = at.AddMinutes(-1),
                Attempt = 3,
                CorrelationId = "seed-" + phone,
                History = [new AttemptRecord(at, "Rejected", 422, "seeded")],
            },
            ReasonClass = reasonClass,
            Reason = $"seeded {reasonClass} from {source}",
            StatusCode = 422,
            DeadLetteredAt = at,
        });

    public static Task<DeadLetterEntry> AddUnreadableAsync(DeadLetterStore store, DateTimeOffset at) =>
        store.AddAsync(new DeadLetterRecord
        {
            RawMessage = "{not json",
            ReasonClass = DeadLetterReasons.Unreadable,
            Reason = "The message is not a valid operation envelope.",
            DeadLetteredAt = at,
        });
}
