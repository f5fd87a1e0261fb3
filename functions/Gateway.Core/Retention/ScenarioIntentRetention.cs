using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Libromi.Gateway.Scenarios;

namespace Libromi.Gateway.Retention;

/// <summary>
/// Deletes scenario intent rows (table <c>scenariointents</c>) written before the cutoff. A row is needed only while a
/// message of its operation can still be delivered again; <see cref="RetentionOptions.ScenarioIntents"/> is longer than
/// a queue message can live, so no redelivery ever finds its row gone and sends a second time.
/// </summary>
internal sealed class ScenarioIntentRetention(TableServiceClient tables)
{
    private readonly TableClient _table = tables.GetTableClient(ScenarioIntents.TableName);

    /// <returns>Rows deleted.</returns>
    public async Task<int> SweepAsync(DateTimeOffset now, TimeSpan retention, DeleteBudget budget, CancellationToken cancellationToken)
    {
        var filter = $"{ScenarioIntents.IntentAtProperty} le {TableClient.CreateQueryFilter($"{now - retention}")}";
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
        catch (RequestFailedException ex) when (ex.ErrorCode == TableErrorCode.TableNotFound)
        {
            return 0; // no scenario was ever triggered here
        }
        await deleter.FlushAsync(cancellationToken).ConfigureAwait(false);
        return deleter.Deleted;
    }
}
