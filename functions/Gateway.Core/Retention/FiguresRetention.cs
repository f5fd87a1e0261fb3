using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Libromi.Gateway.Figures;

namespace Libromi.Gateway.Retention;

/// <summary>
/// Deletes hourly figure rows (table <c>figures</c>, see <see cref="FigureTable"/>) of hours that left the 24 h window
/// more than a day ago. The table holds one row per integration, hour and instance, so a sweep reads a few hundred keys.
/// </summary>
internal sealed class FiguresRetention(TableServiceClient tables)
{
    private readonly TableClient _table = tables.GetTableClient(FigureTable.TableName);

    /// <returns>Rows deleted.</returns>
    public async Task<int> SweepAsync(DateTimeOffset now, DeleteBudget budget, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey lt {FigureTable.HourKey(RetentionPolicy.FiguresExpireBefore(now))}");
        var deleter = new TableBatchDeleter(_table, budget);
        try
        {
            await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (!await deleter.AddAsync(row, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == TableErrorCode.TableNotFound)
        {
            return 0; // nothing was ever counted here
        }
        await deleter.FlushAsync(cancellationToken).ConfigureAwait(false);
        return deleter.Deleted;
    }
}
