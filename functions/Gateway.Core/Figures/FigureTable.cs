using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace Libromi.Gateway.Figures;

/// <summary>
/// Table <c>figures</c>: one row per integration, UTC hour and gateway instance (partition: the integration; row key:
/// <c>{yyyyMMddHH}|{instance}</c>). Each instance writes only its own rows, whole, with its running totals, so writes
/// never conflict and a retried write cannot count twice; a reader sums the instances' rows of the window's hours.
/// </summary>
public sealed class FigureTable(TableServiceClient tables)
{
    public const string TableName = "figures";
    private const string RefusedPrefix = "Refused_";

    private readonly TableClient _table = tables.GetTableClient(TableName);

    /// <summary>This process's name in row keys: a restarted instance starts new rows and leaves the old ones' totals standing.</summary>
    public string Instance { get; } = Guid.NewGuid().ToString("N")[..12];

    internal static string HourKey(DateTimeOffset hour) => hour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    /// <summary>Writes each row over this instance's row of its integration and hour: one request per integration.</summary>
    public async Task WriteAsync(IReadOnlyList<HourFigures> rows, CancellationToken cancellationToken)
    {
        foreach (var integration in rows.GroupBy(r => r.Integration, StringComparer.Ordinal))
        {
            var actions = integration.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(r))).ToList();
            try
            {
                await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException exception) when (exception.ErrorCode == TableErrorCode.TableNotFound)
            {
                await _table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
                await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The rows of <paramref name="integration"/> from <paramref name="windowStart"/>'s hour on: 24 per instance at most.</summary>
    public async Task<IReadOnlyList<HourFigures>> ReadAsync(string integration, DateTimeOffset windowStart, CancellationToken cancellationToken)
    {
        var rows = new List<HourFigures>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {integration} and RowKey ge {HourKey(windowStart)}");
        try
        {
            await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                rows.Add(FromEntity(entity));
            }
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == TableErrorCode.TableNotFound)
        {
            // Nothing was ever counted here.
        }
        return rows;
    }

    private TableEntity ToEntity(HourFigures figures)
    {
        var entity = new TableEntity(figures.Integration, $"{HourKey(figures.Hour)}|{Instance}")
        {
            ["Hour"] = figures.Hour,
            ["Received"] = figures.Received,
            ["Delivered"] = figures.Delivered,
            ["DeadLettered"] = figures.DeadLettered,
            ["LastErrorAt"] = figures.LastErrorAt,
            ["LastError"] = figures.LastError,
        };
        foreach (var (reason, count) in figures.Refused)
        {
            entity[RefusedPrefix + reason] = count;
        }
        return entity;
    }

    private static HourFigures FromEntity(TableEntity entity)
    {
        var refused = entity.Keys
            .Where(k => k.StartsWith(RefusedPrefix, StringComparison.Ordinal))
            .ToDictionary(k => k[RefusedPrefix.Length..], k => entity.GetInt64(k) ?? 0, StringComparer.Ordinal);
        return new HourFigures(
            entity.PartitionKey,
            entity.GetDateTimeOffset("Hour") ?? DateTimeOffset.MinValue,
            entity.GetInt64("Received") ?? 0,
            refused,
            entity.GetInt64("Delivered") ?? 0,
            entity.GetInt64("DeadLettered") ?? 0,
            entity.GetDateTimeOffset("LastErrorAt"),
            entity.GetString("LastError"));
    }
}
