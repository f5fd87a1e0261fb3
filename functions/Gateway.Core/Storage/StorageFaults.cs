using Azure;

namespace Libromi.Gateway.Storage;

/// <summary>
/// Which exceptions mean "storage did not answer or refused": the ones every caller turns into a 503, a retry or a
/// log line instead of a crash. A cancellation counts only when the caller did not ask for it (a deadline fired).
/// </summary>
public static class StorageFaults
{
    public static bool IsStorageFault(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        RequestFailedException or AggregateException or HttpRequestException or TimeoutException or IOException => true,
        _ => false,
    };
}
