using Libromi.Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Storage;

/// <summary>
/// Bounds each storage call an HTTP answer waits on (ingest, health, status) by <see cref="GatewayOptions.StorageTimeout"/>,
/// so a hung storage account is answered 503 with <c>Retry-After</c> instead of holding the sender until it gives up
/// and retries (then both copies would be stored). The SDK's own network timeout is 10 s per try, with retries.
/// </summary>
public sealed class StorageDeadline(IOptions<GatewayOptions> options)
{
    /// <summary>
    /// A token that fires after the timeout of real time, or with <paramref name="cancellationToken"/>. Real time on
    /// purpose: it bounds a wait on the network, which a test's fake clock does not drive.
    /// </summary>
    public CancellationTokenSource Start(CancellationToken cancellationToken = default)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.StorageTimeout);
        return deadline;
    }
}
