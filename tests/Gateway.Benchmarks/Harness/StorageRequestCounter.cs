using Azure.Core;
using Azure.Core.Pipeline;

namespace Libromi.Gateway.Benchmarks.Harness;

/// <summary>
/// Counts every request a host's storage clients send (retries included, hence per retry), so a drain can report
/// storage operations per delivered call: the figure that decides a fleet's storage bill and Azurite's load.
/// </summary>
internal sealed class StorageRequestCounter : HttpPipelineSynchronousPolicy
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);

    public void Reset() => Interlocked.Exchange(ref _count, 0);
}
