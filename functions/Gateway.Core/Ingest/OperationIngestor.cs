using System.Diagnostics;
using Azure;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Telemetry;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.Ingest;

/// <summary>
/// Turns accepted contact operations into queue messages. Answers only after storage acknowledged every
/// message; a storage failure surfaces as <see cref="StorageUnavailableException"/> so callers answer 503.
/// </summary>
public sealed partial class OperationIngestor(OperationQueues queues, GatewayTelemetry telemetry, TimeProvider timeProvider, ILogger<OperationIngestor> logger)
{
    public async Task<string> EnqueueAsync(ContactOperations operations, string source, Lane lane, string? correlationId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var operationId = Guid.CreateVersion7(now).ToString("N");
        var envelope = new OperationEnvelope
        {
            OperationId = operationId,
            PhoneNumber = operations.PhoneNumber.Digits,
            Steps = operations.Steps,
            Source = source,
            Lane = lane,
            ReceivedAt = now,
            CorrelationId = correlationId ?? Activity.Current?.TraceId.ToString() ?? operationId,
        };

        using var activity = GatewayTelemetry.ActivitySource.StartActivity("ingest operation");
        activity?.SetTag(GatewayTelemetry.OperationTag, operationId);
        activity?.SetTag(GatewayTelemetry.CorrelationTag, envelope.CorrelationId);
        activity?.SetTag("gateway.source", source);
        try
        {
            await queues.EnqueueAsync(envelope, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsStorageFault(exception, cancellationToken))
        {
            LogStorageUnavailable(logger, exception.GetType().Name, source);
            throw new StorageUnavailableException(exception);
        }
        telemetry.Accepted(lane, source);
        LogAccepted(logger, operationId, source, envelope.Steps.Count);
        return operationId;
    }

    internal static bool IsStorageFault(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        RequestFailedException or AggregateException or HttpRequestException or TimeoutException or IOException => true,
        _ => false,
    };

    [LoggerMessage(EventId = 3001, EventName = "OperationAccepted", Level = LogLevel.Information, Message = "Accepted {OperationId} from {Source} ({StepCount} steps)")]
    private static partial void LogAccepted(ILogger logger, string operationId, string source, int stepCount);

    [LoggerMessage(EventId = 3002, EventName = "StorageUnavailable", Level = LogLevel.Error, Message = "Storage refused an operation from {Source} ({Failure}); answered 503 so the sender retries")]
    private static partial void LogStorageUnavailable(ILogger logger, string failure, string source);
}

/// <summary>Storage did not acknowledge the operation, so it was not accepted.</summary>
public sealed class StorageUnavailableException(Exception inner)
    : Exception("Azure Storage is unavailable; the operation was not stored.", inner);
