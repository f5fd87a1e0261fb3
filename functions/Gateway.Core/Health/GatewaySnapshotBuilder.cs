using Libromi.Gateway.DeadLetters;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.RateLimiting;
using Libromi.Gateway.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Libromi.Gateway.Health;

/// <summary>Reads one <see cref="GatewaySnapshot"/>: storage within <c>Gateway__StorageTimeout</c>, the sending state in memory.</summary>
public sealed class GatewaySnapshotBuilder(
    QueueInspector inspector, DeadLetterStore deadLetters, SendingState sendingState, StorageDeadline storageDeadline,
    [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider)
{
    /// <param name="alsoRead">
    /// A caller's own storage read (the status page's running imports), made within the same deadline: a storage fault
    /// there marks the whole snapshot's storage unreachable, as one read would.
    /// </param>
    public async Task<GatewaySnapshot> BuildAsync(Func<CancellationToken, Task>? alsoRead, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        IReadOnlyList<LaneSample>? lanes = null;
        int? deadLetterCount = null;
        string? storageError = null;
        try
        {
            using var timeout = storageDeadline.Start(cancellationToken);
            lanes = await inspector.SampleAsync(timeout.Token).ConfigureAwait(false);
            deadLetterCount = await deadLetters.CountAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
            if (alsoRead is not null)
            {
                await alsoRead(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            storageError = $"Storage is unreachable ({exception.GetType().Name}).";
        }

        var circuit = sendingState.Circuit;
        var pausedUntil = sendingState.PausedUntil;
        return new GatewaySnapshot(
            now,
            storageError,
            lanes,
            deadLetterCount,
            new CircuitHealth(circuit.IsOpen ? CircuitHealth.Open : CircuitHealth.Closed, circuit.Reason, circuit.OpenedAt),
            pausedUntil > now ? pausedUntil : null);
    }
}
