using System.Threading.RateLimiting;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// A caller queued by one of the gateway's limiters until it gets a permit: the wait ends exactly once, with a lease
/// or as cancelled, and its cancellation callback is released either way. The limiter owns the queue and its lock.
/// </summary>
internal sealed class PermitWaiter
{
    private readonly TaskCompletionSource<RateLimitLease> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;

    private PermitWaiter(int permitCount) => PermitCount = permitCount;

    public int PermitCount { get; }

    /// <summary>Completes when the limiter grants or refuses the permits, or is cancelled with the caller's token.</summary>
    public ValueTask<RateLimitLease> Lease => new(_completion.Task);

    /// <summary>
    /// Adds a waiter at the end of <paramref name="queue"/>; call it holding <paramref name="gate"/>, the lock that
    /// guards the queue. If <paramref name="cancellationToken"/> fires while the waiter is still queued, it leaves
    /// the queue, <paramref name="onCancelled"/> runs under the same lock (to correct the limiter's counts), and the
    /// wait ends as cancelled.
    /// </summary>
    public static PermitWaiter Enqueue(LinkedList<PermitWaiter> queue, int permitCount, Lock gate, Action<PermitWaiter> onCancelled, CancellationToken cancellationToken)
    {
        var waiter = new PermitWaiter(permitCount);
        var node = queue.AddLast(waiter);
        if (cancellationToken.CanBeCanceled)
        {
            waiter._registration = cancellationToken.Register(() => waiter.Cancel(node, gate, onCancelled, cancellationToken));
        }
        return waiter;
    }

    /// <summary>Ends the wait with <paramref name="lease"/>; call it outside the limiter's lock (see <see cref="Cancel"/>).</summary>
    public void Grant(RateLimitLease lease)
    {
        // Disposing waits for a cancellation callback already running, and that callback takes the limiter's lock.
        _registration.Dispose();
        _completion.TrySetResult(lease);
    }

    private void Cancel(LinkedListNode<PermitWaiter> node, Lock gate, Action<PermitWaiter> onCancelled, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (node.List is null)
            {
                // Already granted, refused or abandoned.
                return;
            }
            node.List.Remove(node);
            onCancelled(this);
        }
        _registration.Dispose();
        _completion.TrySetCanceled(cancellationToken);
    }
}
