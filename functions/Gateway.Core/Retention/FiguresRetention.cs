using Azure.Data.Tables;
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
    public Task<int> SweepAsync(DateTimeOffset now, DeleteBudget budget, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey lt {FigureTable.HourKey(RetentionPolicy.FiguresExpireBefore(now))}");
        return TableBatchDeleter.DeleteWhereAsync(_table, filter, budget, cancellationToken);
    }
}
