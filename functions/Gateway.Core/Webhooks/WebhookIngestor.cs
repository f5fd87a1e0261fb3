using Libromi.Gateway.Ingest;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Storage;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// One webhook delivery, from raw bytes to stored operations: verify (before anything is parsed), map, drop items
/// seen before, enqueue each contact's operations in the realtime lane, then record the identities. A delivery is
/// accepted whole or not at all: every operation is measured before the first is written, and if storage fails while
/// they are being written, the ones already written are withdrawn and the identities are not recorded, so the answer
/// is 503 and the sender's redelivery goes through once.
/// </summary>
public sealed partial class WebhookIngestor(
    HookIntegrations integrations,
    ISecretSource secrets,
    DeliveryDeduplicator deduplicator,
    OperationIngestor ingestor,
    StorageDeadline storageDeadline,
    IOptions<HookOptions> options,
    TimeProvider timeProvider,
    ILogger<WebhookIngestor> logger)
{
    public bool TryGetIntegration(string name, out IntegrationDefinition? integration) => integrations.TryGet(name, out integration);

    /// <summary>The source recorded on the operations of an integration's deliveries.</summary>
    public static string SourceOf(string integrationName) => $"hook:{integrationName}";

    /// <param name="deliveryId">The delivery log's id of this delivery, kept with the operations it produces.</param>
    public async Task<HookOutcome> IngestAsync(
        IntegrationDefinition integration, WebhookRequest request, string? correlationId, CancellationToken cancellationToken, string? deliveryId = null)
    {
        var verification = await WebhookVerification.VerifyAsync(integration, request, secrets, timeProvider, cancellationToken).ConfigureAwait(false);
        switch (verification)
        {
            case VerificationResult.Failed failed:
                LogUnverified(logger, integration.Name, failed.Scheme, failed.ReasonCode);
                return new HookOutcome.Unverified(failed);
            case VerificationResult.SecretUnavailable unavailable:
                LogSecretUnavailable(logger, integration.Name, unavailable.Scheme, unavailable.SecretName, unavailable.Detail);
                return new HookOutcome.SecretUnavailable();
        }
        return await IngestVerifiedAsync(integration, request, correlationId, cancellationToken, deliveryId).ConfigureAwait(false);
    }

    /// <summary>
    /// Everything after verification: map, drop items seen before, enqueue, record the identities. A replay of a logged
    /// delivery starts here, because the delivery was verified when it arrived and its signature headers were never stored.
    /// </summary>
    public async Task<HookOutcome> IngestVerifiedAsync(
        IntegrationDefinition integration, WebhookRequest request, string? correlationId, CancellationToken cancellationToken, string? deliveryId = null)
    {
        MappingResult.Mapped mapped;
        switch (PayloadMapper.Map(integration, request, options.Value.MaxItemsPerDelivery))
        {
            case MappingResult.MalformedBody malformed:
                return new HookOutcome.Malformed(malformed);
            case MappingResult.TooManyItems tooMany:
                LogTooManyItems(logger, integration.Name, tooMany.Count, tooMany.Limit);
                return new HookOutcome.TooManyItems(tooMany.Count, tooMany.Limit);
            case MappingResult.Invalid invalid:
                LogInvalid(logger, integration.Name, invalid.Errors.Count);
                return new HookOutcome.Invalid(invalid.Errors);
            case MappingResult.Mapped ok:
                mapped = ok;
                break;
            default:
                throw new InvalidOperationException("Unknown mapping result.");
        }

        var candidates = mapped.Items.Where(i => !i.IsIgnored).ToList();
        IReadOnlySet<string> seenBefore;
        try
        {
            using var deadline = storageDeadline.Start(cancellationToken);
            seenBefore = candidates.Count == 0
                ? new HashSet<string>()
                : await deduplicator.FindSeenAsync(integration.Name, candidates.Select(i => i.Identity.Key), deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFaults.IsStorageFault(ex, cancellationToken))
        {
            LogDeduplicationUnavailable(logger, integration.Name, ex.GetType().Name);
            return new HookOutcome.StorageUnavailable();
        }

        // An identity repeated inside one batch counts once, like one seen in an earlier delivery.
        var known = new HashSet<string>(seenBefore, StringComparer.Ordinal);
        var fresh = new List<MappedItem>(candidates.Count);
        var duplicates = 0;
        foreach (var item in candidates)
        {
            if (known.Add(item.Identity.Key))
            {
                fresh.Add(item);
            }
            else
            {
                duplicates++;
            }
        }
        if (fresh.Count == 0 && duplicates > 0)
        {
            LogDuplicate(logger, integration.Name, duplicates);
            return new HookOutcome.Duplicate(mapped.IgnoredCount, duplicates);
        }

        // Measure every operation before writing the first: one that can never be stored refuses the whole delivery.
        var source = SourceOf(integration.Name);
        var envelopes = new List<SerializedEnvelope>();
        foreach (var item in fresh)
        {
            // One envelope per contact keeps "upsert, then assign" of one item in order.
            foreach (var operations in item.Operations)
            {
                if (!ingestor.TryPrepare(operations, source, Lane.Realtime, correlationId, out var prepared))
                {
                    LogOperationTooLarge(logger, integration.Name, item.Index, prepared.JsonBytes);
                    return new HookOutcome.OperationTooLarge(item.Index, prepared.JsonBytes, OperationIngestor.MaxOperationJsonBytes);
                }
                envelopes.Add(prepared);
            }
        }

        IReadOnlyList<string> operationIds;
        try
        {
            operationIds = await ingestor.EnqueueAllAsync(envelopes, cancellationToken, deliveryId).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            LogNotStored(logger, integration.Name, envelopes.Count);
            return new HookOutcome.StorageUnavailable();
        }
        catch (OperationTooLargeException tooLarge)
        {
            return new HookOutcome.OperationTooLarge(ItemIndex: -1, tooLarge.JsonBytes, OperationIngestor.MaxOperationJsonBytes);
        }

        try
        {
            using var deadline = storageDeadline.Start(cancellationToken);
            await deduplicator.RecordAsync(integration.Name, fresh.Select(i => i.Identity), deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFaults.IsStorageFault(ex, cancellationToken))
        {
            // The operations are stored: the delivery is accepted. Only a redelivery could now be enqueued twice.
            LogNotRecorded(logger, integration.Name, ex.GetType().Name);
        }

        LogAccepted(logger, integration.Name, operationIds.Count, mapped.IgnoredCount, duplicates);
        return new HookOutcome.Accepted(operationIds, mapped.IgnoredCount, duplicates);
    }

    [LoggerMessage(EventId = 5120, EventName = "HookUnverified", Level = LogLevel.Warning,
        Message = "Refused a delivery for {Integration}: {Scheme} verification failed ({Reason})")]
    private static partial void LogUnverified(ILogger logger, string integration, string scheme, string reason);

    [LoggerMessage(EventId = 5121, EventName = "HookSecretUnavailable", Level = LogLevel.Error,
        Message = "Cannot verify deliveries for {Integration}: {Scheme} secret {SecretName} is unavailable ({Detail}); answered 503")]
    private static partial void LogSecretUnavailable(ILogger logger, string integration, string scheme, string secretName, string detail);

    [LoggerMessage(EventId = 5122, EventName = "HookInvalid", Level = LogLevel.Information,
        Message = "Refused a delivery for {Integration}: {ErrorCount} fields cannot be mapped")]
    private static partial void LogInvalid(ILogger logger, string integration, int errorCount);

    [LoggerMessage(EventId = 5123, EventName = "HookDuplicate", Level = LogLevel.Information,
        Message = "Acknowledged a duplicate delivery for {Integration} ({Duplicates} items seen before); nothing enqueued")]
    private static partial void LogDuplicate(ILogger logger, string integration, int duplicates);

    [LoggerMessage(EventId = 5124, EventName = "HookAccepted", Level = LogLevel.Information,
        Message = "Accepted a delivery for {Integration}: {OperationCount} operations enqueued, {Ignored} items ignored, {Duplicates} duplicates")]
    private static partial void LogAccepted(ILogger logger, string integration, int operationCount, int ignored, int duplicates);

    [LoggerMessage(EventId = 5125, EventName = "HookNotStored", Level = LogLevel.Error,
        Message = "Storage did not take the {Total} operations of a delivery for {Integration}; answered 503 so the sender redelivers")]
    private static partial void LogNotStored(ILogger logger, string integration, int total);

    [LoggerMessage(EventId = 5128, EventName = "HookTooManyItems", Level = LogLevel.Information,
        Message = "Refused a delivery for {Integration}: {Count} items, at most {Limit} per delivery")]
    private static partial void LogTooManyItems(ILogger logger, string integration, int count, int limit);

    [LoggerMessage(EventId = 5129, EventName = "HookOperationTooLarge", Level = LogLevel.Information,
        Message = "Refused a delivery for {Integration}: item {ItemIndex} maps to an operation of {JsonBytes} bytes, larger than a queue message allows")]
    private static partial void LogOperationTooLarge(ILogger logger, string integration, int itemIndex, int jsonBytes);

    [LoggerMessage(EventId = 5126, EventName = "HookDeduplicationUnavailable", Level = LogLevel.Error,
        Message = "Cannot check {Integration} deliveries for duplicates ({Failure}); answered 503")]
    private static partial void LogDeduplicationUnavailable(ILogger logger, string integration, string failure);

    [LoggerMessage(EventId = 5127, EventName = "HookIdentitiesNotRecorded", Level = LogLevel.Warning,
        Message = "Accepted a delivery for {Integration} but could not record its identities ({Failure}); a redelivery would be enqueued again")]
    private static partial void LogNotRecorded(ILogger logger, string integration, string failure);
}
