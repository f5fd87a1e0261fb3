using Microsoft.Extensions.DependencyInjection;
using System.Text.Json.Serialization;
using Libromi.Gateway.Ingest;
using Libromi.Gateway.Processing;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Secrets;
using Microsoft.AspNetCore.Http;

namespace Libromi.Gateway.Health;

/// <summary><c>GET /api/health</c>: storage, secret source, circuit state, rate-limit pause and queue depths.</summary>
public sealed class HealthReporter(OperationQueues queues, ISecretSource secrets, SendingState sendingState, [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider)
{
    public async Task<HealthReport> ReportAsync(CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, int>? depths = null;
        string? storageError = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            depths = await queues.GetDepthsAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (OperationIngestor.IsStorageFault(exception, cancellationToken))
        {
            storageError = $"Queue storage is unreachable ({exception.GetType().Name}).";
        }

        var circuit = sendingState.Circuit;
        var pausedUntil = sendingState.PausedUntil > timeProvider.GetUtcNow() ? sendingState.PausedUntil : (DateTimeOffset?)null;
        var status = storageError is not null ? "unhealthy" : circuit.IsOpen || pausedUntil is not null ? "degraded" : "healthy";
        return new HealthReport(
            status,
            new StorageHealth(storageError is null, storageError),
            secrets.Kind,
            new CircuitHealth(circuit.IsOpen ? "open" : "closed", circuit.Reason, circuit.OpenedAt),
            pausedUntil,
            depths);
    }

    public static async Task<IResult> HandleAsync(HealthReporter reporter, CancellationToken cancellationToken)
    {
        var report = await reporter.ReportAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(report, statusCode: report.Status == "unhealthy" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }
}

public sealed record HealthReport(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("storage")] StorageHealth Storage,
    [property: JsonPropertyName("secret_source")] string SecretSource,
    [property: JsonPropertyName("circuit")] CircuitHealth Circuit,
    [property: JsonPropertyName("paused_until")] DateTimeOffset? PausedUntil,
    [property: JsonPropertyName("queues")] IReadOnlyDictionary<string, int>? QueueDepths);

public sealed record StorageHealth([property: JsonPropertyName("reachable")] bool Reachable, [property: JsonPropertyName("error")] string? Error);

public sealed record CircuitHealth(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("since")] DateTimeOffset? Since);
