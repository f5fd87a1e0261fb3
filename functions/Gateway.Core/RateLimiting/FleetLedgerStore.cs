using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Libromi.Gateway.Libromi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// The shared <see cref="RateLedger"/>: one entity per Libromi account in the <c>ratelimit</c> table, changed
/// with optimistic concurrency. Why a table entity: a read and a conditional write are one round trip each,
/// it works with identity-based connections and Azurite, and contending instances only retry; a blob lease
/// would serialise every instance behind one lease holder.
/// </summary>
/// <remarks>
/// The last entity this instance read or wrote is kept with its ETag and tried first: when no other instance
/// wrote in between, a lease costs one round trip (the conditional write); otherwise the write fails with 412
/// and the entity is read again. A decision that changes nothing (the ledger is full or paused) is taken from
/// the kept entity without any I/O, which is safe because other instances can only add grants, move a pause later,
/// or settle their own leases (which frees capacity: the kept entity then says "full" for too long, never too short).
/// </remarks>
public sealed partial class FleetLedgerStore : ILeaseSource, ISharedPause
{
    public const string TableName = "ratelimit";
    public const string PartitionKey = "libromi";
    public const string RowKey = "account";
    private const int MaxConflicts = 50;

    private readonly TableClient _table;
    private readonly string _rowKey;
    private readonly Func<LedgerLimits> _limits;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _serial = new(1, 1);
    private Snapshot? _known;
    private long _roundTrips;

    /// <summary>Storage requests made so far (reads, writes, table creation), for tests and the docs' cost figures.</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    /// <summary>The ledger of the account's contact calls (row <see cref="RowKey"/>).</summary>
    public FleetLedgerStore(
        TableServiceClient tables,
        IOptions<LibromiClientOptions> libromi,
        IOptions<RateLimitOptions> rateLimit,
        [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider,
        ILogger<FleetLedgerStore> logger)
        : this(tables, RowKey, () => LedgerLimits.From(libromi.Value, rateLimit.Value), timeProvider, logger)
    {
    }

    /// <summary>
    /// A ledger of its own in row <paramref name="rowKey"/> of the same table, for calls with a separate limit
    /// (webhook scenarios): its grants and pauses never touch the contact calls' row.
    /// </summary>
    public FleetLedgerStore(TableServiceClient tables, string rowKey, Func<LedgerLimits> limits, TimeProvider timeProvider, ILogger logger)
    {
        _table = tables.GetTableClient(TableName);
        _rowKey = rowKey;
        _limits = limits;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    private LedgerLimits Limits => _limits();

    public Task<LeaseDecision> LeaseAsync(int realtime, int bulk, LeaseSettlement? settlement, CancellationToken cancellationToken = default)
    {
        // Random, so unique across the fleet without coordination. Every attempt of this request (after a conflict)
        // uses it; only one attempt's write can succeed.
        var leaseId = RandomNumberGenerator.GetHexString(16, lowercase: true);
        return ChangeAsync(ledger =>
        {
            var now = _timeProvider.GetUtcNow();
            if (settlement is not null)
            {
                ledger.Settle(now, settlement);
            }
            var decision = ledger.Lease(now, realtime, bulk, leaseId);
            // A settlement alone is not worth a write: it rides on this instance's next grant. Until then its
            // permits stay stamped at the lease's expiry, which only overstates.
            return (decision, decision is LeaseDecision.Granted);
        }, cancellationToken);
    }

    public async Task PauseAsync(DateTimeOffset until, string reason, CancellationToken cancellationToken = default)
    {
        if (await ChangeAsync(ledger => (true, ledger.Pause(until, reason)), cancellationToken).ConfigureAwait(false))
        {
            LogPausePublished(_logger, until, reason);
        }
    }

    /// <summary>The ETag loop: decide on the latest known entity, write only if the decision changed it, retry on conflict.</summary>
    private async Task<T> ChangeAsync<T>(Func<RateLedger, (T Result, bool Changed)> decide, CancellationToken cancellationToken)
    {
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var conflicts = 0; ; conflicts++)
            {
                var known = _known ?? await ReadAsync(cancellationToken).ConfigureAwait(false);
                var ledger = RateLedger.Load(Limits, known.Ledger);
                var (result, changed) = decide(ledger);
                if (!changed)
                {
                    _known = known;
                    return result;
                }
                if (await TryWriteAsync(ledger, known.ETag, cancellationToken).ConfigureAwait(false) is { } written)
                {
                    _known = written;
                    return result;
                }
                _known = null;
                if (conflicts >= MaxConflicts)
                {
                    throw new InvalidOperationException($"The rate-limit ledger changed under {MaxConflicts} consecutive writes.");
                }
            }
        }
        finally
        {
            _serial.Release();
        }
    }

    private async Task<Snapshot> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            Interlocked.Increment(ref _roundTrips);
            var response = await _table.GetEntityIfExistsAsync<TableEntity>(PartitionKey, _rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.HasValue ? Snapshot.From(response.Value!, response.Value!.ETag) : Snapshot.Missing;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // The deployment creates the table; a fresh emulator or a table deleted by hand must not stop sending.
            Interlocked.Increment(ref _roundTrips);
            await _table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            return Snapshot.Missing;
        }
    }

    /// <summary>The new snapshot, or null when another instance wrote first (412 on update, 409 on the first add).</summary>
    private async Task<Snapshot?> TryWriteAsync(RateLedger ledger, ETag? etag, CancellationToken cancellationToken)
    {
        var stored = ledger.ToStored();
        var entity = new TableEntity(PartitionKey, _rowKey)
        {
            [nameof(StoredLedger.Minute)] = stored.Minute,
            [nameof(StoredLedger.MinuteLatest)] = stored.MinuteLatest,
            [nameof(StoredLedger.Hour)] = stored.Hour,
            [nameof(StoredLedger.HourLatest)] = stored.HourLatest,
            [nameof(StoredLedger.Leases)] = stored.Leases,
            [nameof(StoredLedger.PausedUntil)] = stored.PausedUntil,
            [nameof(StoredLedger.PauseReason)] = stored.PauseReason,
        };
        try
        {
            Interlocked.Increment(ref _roundTrips);
            var response = etag is { } match
                ? await _table.UpdateEntityAsync(entity, match, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false)
                : await _table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return Snapshot.From(entity, response.Headers.ETag ?? throw new InvalidOperationException("Table storage returned no ETag."));
        }
        catch (RequestFailedException exception) when (exception.Status == 404 && etag is null)
        {
            // The table itself is missing (the first write on a fresh account).
            Interlocked.Increment(ref _roundTrips);
            await _table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (RequestFailedException exception) when (exception.Status is 409 or 412 or 404)
        {
            LogConflict(_logger, exception.Status);
            return null;
        }
    }

    private sealed record Snapshot(StoredLedger Ledger, ETag? ETag)
    {
        public static Snapshot Missing { get; } = new(StoredLedger.Empty, null);

        public static Snapshot From(TableEntity entity, ETag etag) => new(
            new StoredLedger(
                entity.GetString(nameof(StoredLedger.Minute)),
                entity.GetString(nameof(StoredLedger.MinuteLatest)),
                entity.GetString(nameof(StoredLedger.Hour)),
                entity.GetString(nameof(StoredLedger.HourLatest)),
                entity.GetString(nameof(StoredLedger.Leases)),
                entity.GetDateTimeOffset(nameof(StoredLedger.PausedUntil)),
                entity.GetString(nameof(StoredLedger.PauseReason))),
            etag);
    }

    [LoggerMessage(EventId = 8001, EventName = "RateLedgerConflict", Level = LogLevel.Debug, Message = "Another instance changed the rate-limit ledger first ({Status}); reading it again")]
    private static partial void LogConflict(ILogger logger, int status);

    [LoggerMessage(EventId = 8002, EventName = "FleetPausePublished", Level = LogLevel.Warning, Message = "Every instance pauses sending until {PausedUntil} ({Reason})")]
    private static partial void LogPausePublished(ILogger logger, DateTimeOffset pausedUntil, string reason);
}
