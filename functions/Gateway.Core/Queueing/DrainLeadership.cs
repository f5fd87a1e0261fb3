using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Storage;

namespace Libromi.Gateway.Queueing;

/// <summary>
/// Who drains: the instance holding an Azure blob lease on one blob (<c>gateway-drain/leader</c>). Storage keeps the time, so
/// instances need no agreement on clocks, and a killed holder's term simply runs out.
/// </summary>
public sealed partial class DrainLeadership(BlobServiceClient blobs, IOptions<DrainOptions> options, TimeProvider storageClock, ILogger<DrainLeadership> logger)
{
    public const string ContainerName = "gateway-drain";
    private const string BlobName = "leader";

    /// <summary>Takes the drain if no other instance holds it; null when one does (or storage cannot say).</summary>
    public async Task<DrainTerm?> TryTakeAsync(CancellationToken cancellationToken)
    {
        var blob = blobs.GetBlobContainerClient(ContainerName).GetBlobClient(BlobName);
        var lease = blob.GetBlobLeaseClient();
        try
        {
            await EnsureBlobAsync(blob, cancellationToken).ConfigureAwait(false);
            await lease.AcquireAsync(options.Value.LeadershipTerm, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            return null;
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            LogUnreachable(logger, exception.GetType().Name);
            return null;
        }
        return new DrainTerm(lease, options.Value.LeadershipTerm, storageClock, logger);
    }

    private static async Task EnsureBlobAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(BinaryData.Empty, overwrite: false, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status == 409 || exception.Status == 412)
        {
            // It exists (and may be under another instance's blob lease): that is the usual case.
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == "ContainerNotFound")
        {
            await blob.GetParentBlobContainerClient().CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await EnsureBlobAsync(blob, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 4010, EventName = "DrainLeadershipUnknown", Level = LogLevel.Warning, Message = "Could not reach storage to take the drain ({Failure}); trying again on the next wake")]
    private static partial void LogUnreachable(ILogger logger, string failure);
}

/// <summary>
/// The drain, held: renewed at a third of its term for as long as it is held; <see cref="Lost"/> fires when a
/// renewal fails so late that another instance may hold it, and the holder must stop sending.
/// </summary>
public sealed partial class DrainTerm : IAsyncDisposable
{
    private readonly BlobLeaseClient _lease;
    private readonly TimeSpan _term;
    private readonly TimeProvider _storageClock;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _released = new();
    private readonly Task _keeper;

    internal DrainTerm(BlobLeaseClient lease, TimeSpan term, TimeProvider storageClock, ILogger logger)
    {
        _lease = lease;
        _term = term;
        _storageClock = storageClock;
        _logger = logger;
        _keeper = KeepAsync();
    }

    /// <summary>Cancelled when the term may have passed to another instance.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Storage requests made to keep the term (renewals), for the cost figures in the benchmarks.</summary>
    public int Renewals { get; private set; }

    private async Task KeepAsync()
    {
        var renewedAt = _storageClock.GetUtcNow();
        try
        {
            while (true)
            {
                await Task.Delay(_term / 3, _storageClock, _released.Token).ConfigureAwait(false);
                try
                {
                    var sentAt = _storageClock.GetUtcNow();
                    await _lease.RenewAsync(cancellationToken: _released.Token).ConfigureAwait(false);
                    Renewals++;
                    renewedAt = sentAt;
                }
                catch (Exception exception) when (exception is RequestFailedException || StorageFaults.IsStorageFault(exception, _released.Token))
                {
                    // One failed renewal leaves two thirds of the term; stop before the term could have passed.
                    if (exception is RequestFailedException { Status: 409 } || _storageClock.GetUtcNow() - renewedAt > _term * 2 / 3)
                    {
                        LogLost(_logger, exception.GetType().Name);
                        await _lost.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_released.IsCancellationRequested)
        {
            // Released by the holder.
        }
    }

    /// <summary>Lets the next instance take the drain at once instead of after the term.</summary>
    public async ValueTask DisposeAsync()
    {
        await _released.CancelAsync().ConfigureAwait(false);
        await _keeper.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!_lost.IsCancellationRequested)
        {
            try
            {
                await _lease.ReleaseAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is RequestFailedException || StorageFaults.IsStorageFault(exception, CancellationToken.None))
            {
                // The term runs out by itself.
            }
        }
        _lost.Dispose();
        _released.Dispose();
    }

    [LoggerMessage(EventId = 4011, EventName = "DrainLeadershipLost", Level = LogLevel.Warning, Message = "Could not renew the drain ({Failure}); stopping this run so that no two instances send at once")]
    private static partial void LogLost(ILogger logger, string failure);
}
