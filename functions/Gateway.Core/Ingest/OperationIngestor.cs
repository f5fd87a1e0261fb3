using System.Diagnostics;
using Azure;
using Azure.Storage.Queues.Models;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Telemetry;
using Microsoft.Extensions.Logging;
using Libromi.Gateway.Storage;
using Libromi.Gateway.Trail;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Ingest;

/// <summary>
/// Turns accepted contact operations into queue messages. A set of operations is stored whole or not at all: each is
/// measured before anything is written (<see cref="TryPrepare"/>), and if storage fails part-way the messages already
/// written are withdrawn before the caller answers 503, so the sender's retry does not deliver them twice. No storage
/// call waits longer than <see cref="StorageDeadline"/> allows: a hung account is refused, not waited on.
/// </summary>
public sealed partial class OperationIngestor(
    OperationQueues queues, DrainWakeups wakeups, StorageDeadline storageDeadline, GatewayTelemetry telemetry, TimeProvider timeProvider, ILogger<OperationIngestor> logger,
    TrailWriter trail, IOptions<TrailOptions> trailOptions)
{
    /// <summary>
    /// The largest operation accepted, as stored JSON. A queue message holds <see cref="EnvelopeSerializer.MaxMessageJsonBytes"/>;
    /// the rest is kept for the attempt history a retried message collects, so a requeue never outgrows the message.
    /// </summary>
    public const int MaxOperationJsonBytes = 40 * 1024;

    /// <summary>
    /// Builds the envelope for <paramref name="operations"/>; false when it would not fit one queue message, so the
    /// caller can refuse the request (413) before anything is written.
    /// </summary>
    public bool TryPrepare(ContactOperations operations, string source, Lane lane, string? correlationId, out SerializedEnvelope prepared)
    {
        prepared = Prepare(operations, source, lane, correlationId, timeProvider.GetUtcNow());
        return prepared.JsonBytes <= MaxOperationJsonBytes;
    }

    /// <summary>
    /// The envelope <see cref="TryPrepare"/> would store for <paramref name="operations"/>, serialised and measured;
    /// nothing is written. The dry run measures with it, so its verdict on size is the ingest's.
    /// </summary>
    public static SerializedEnvelope Prepare(ContactOperations operations, string source, Lane lane, string? correlationId, DateTimeOffset now)
    {
        var operationId = Guid.CreateVersion7(now).ToString("N");
        var envelope = new OperationEnvelope
        {
            OperationId = operationId,
            PhoneNumber = operations.PhoneNumber.Digits,
            // Scenario steps are numbered once, here: their intent rows must keep their key when earlier steps are delivered and dropped.
            Steps = [.. operations.Steps.Select((step, ordinal) => step.Kind == OperationKind.TriggerScenario ? step with { Ordinal = ordinal } : step)],
            Source = source,
            Lane = lane,
            ReceivedAt = now,
            CorrelationId = correlationId ?? Activity.Current?.TraceId.ToString() ?? operationId,
        };
        return EnvelopeSerializer.Prepare(envelope);
    }

    /// <summary>
    /// Stores every envelope in its lane, in order; returns their operation ids once storage acknowledged all of them.
    /// </summary>
    /// <param name="deliveryId">The webhook delivery the operations come from, for their trail.</param>
    /// <exception cref="StorageUnavailableException">Storage failed or did not answer in time; nothing stays stored.</exception>
    public async Task<IReadOnlyList<string>> EnqueueAllAsync(IReadOnlyList<SerializedEnvelope> envelopes, CancellationToken cancellationToken, string? deliveryId = null)
    {
        var stored = new List<(OperationEnvelope Envelope, SendReceipt Receipt)>(envelopes.Count);
        var storing = wakeups.BeginStoring();
        foreach (var message in envelopes)
        {
            var envelope = message.Envelope;
            using var activity = GatewayTelemetry.ActivitySource.StartActivity("ingest operation");
            activity?.SetTag(GatewayTelemetry.OperationTag, envelope.OperationId);
            activity?.SetTag(GatewayTelemetry.CorrelationTag, envelope.CorrelationId);
            activity?.SetTag("gateway.source", envelope.Source);
            try
            {
                using var deadline = storageDeadline.Start(cancellationToken);
                stored.Add((envelope, await queues.EnqueueAsync(message, deadline.Token).ConfigureAwait(false)));
            }
            catch (RequestFailedException exception) when (exception.Status == 413)
            {
                // Measured before writing, so only a storage account with a smaller limit than Azure's gets here.
                await WithdrawAsync(stored).ConfigureAwait(false);
                throw new OperationTooLargeException(message.JsonBytes);
            }
            catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken) || exception is OperationCanceledException)
            {
                LogStorageUnavailable(logger, exception.GetType().Name, envelope.Source, stored.Count, envelopes.Count);
                await WithdrawAsync(stored).ConfigureAwait(false);
                if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    throw; // the caller went away; what was stored has been withdrawn
                }
                throw new StorageUnavailableException(exception);
            }
        }
        // Accepted whatever becomes of the wake: the drain's backstop finds what a lost wake would have announced.
        using (var wakeDeadline = storageDeadline.Start(CancellationToken.None))
        {
            await wakeups.NotifyAsync(storing, wakeDeadline.Token).ConfigureAwait(false);
        }
        foreach (var (envelope, _) in stored)
        {
            telemetry.Accepted(envelope.Lane, envelope.Source);
            LogAccepted(logger, envelope.OperationId, envelope.Source, envelope.Steps.Count);
        }
        // The trail's "queued" rows go with the next batch: the answer waits only for the queue.
        if (trailOptions.Value.Enabled)
        {
            trail.Post(stored.SelectMany(s => OperationTrail.QueuedRows(s.Envelope, deliveryId)));
        }
        return [.. stored.Select(s => s.Envelope.OperationId)];
    }

    /// <summary>Stores one operation; see <see cref="EnqueueAllAsync"/>.</summary>
    /// <exception cref="OperationTooLargeException">The operation does not fit one queue message.</exception>
    public async Task<string> EnqueueAsync(ContactOperations operations, string source, Lane lane, string? correlationId, CancellationToken cancellationToken)
    {
        if (!TryPrepare(operations, source, lane, correlationId, out var prepared))
        {
            throw new OperationTooLargeException(prepared.JsonBytes);
        }
        return (await EnqueueAllAsync([prepared], cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>Takes back what was stored of a set storage did not take whole (<see cref="OperationQueues.WithdrawAsync"/>).</summary>
    private async Task WithdrawAsync(IReadOnlyList<(OperationEnvelope Envelope, SendReceipt Receipt)> stored)
    {
        var kept = 0;
        foreach (var lane in stored.GroupBy(s => s.Envelope.Lane))
        {
            kept += await queues.WithdrawAsync(lane.Key, lane.Select(s => s.Receipt), storageDeadline).ConfigureAwait(false);
        }
        if (kept > 0)
        {
            LogNotWithdrawn(logger, kept, stored.Count);
        }
    }

    [LoggerMessage(EventId = 3001, EventName = "OperationAccepted", Level = LogLevel.Information, Message = "Accepted {OperationId} from {Source} ({StepCount} steps)")]
    private static partial void LogAccepted(ILogger logger, string operationId, string source, int stepCount);

    [LoggerMessage(EventId = 3002, EventName = "StorageUnavailable", Level = LogLevel.Error,
        Message = "Storage refused an operation from {Source} ({Failure}) after {Stored} of {Total}; answered 503 so the sender retries")]
    private static partial void LogStorageUnavailable(ILogger logger, string failure, string source, int stored, int total);

    [LoggerMessage(EventId = 3003, EventName = "OperationsNotWithdrawn", Level = LogLevel.Error,
        Message = "{Kept} of {Stored} operations stored before a storage failure could not be withdrawn; they will be delivered, and a redelivery may repeat them")]
    private static partial void LogNotWithdrawn(ILogger logger, int kept, int stored);
}

/// <summary>Storage did not acknowledge the operation, so it was not accepted.</summary>
public sealed class StorageUnavailableException(Exception inner)
    : Exception("Azure Storage is unavailable; the operation was not stored.", inner);

/// <summary>The operation does not fit one queue message, so it can never be stored; the sender must make it smaller.</summary>
public sealed class OperationTooLargeException(int jsonBytes)
    : Exception($"The operation is {jsonBytes} bytes as stored; at most {OperationIngestor.MaxOperationJsonBytes} bytes fit one queue message.")
{
    public int JsonBytes { get; } = jsonBytes;
}
