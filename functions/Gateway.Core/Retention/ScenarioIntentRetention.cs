using Azure.Data.Tables;
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
    public Task<int> SweepAsync(DateTimeOffset now, TimeSpan retention, DeleteBudget budget, CancellationToken cancellationToken)
    {
        var filter = $"{ScenarioIntents.IntentAtProperty} le {TableClient.CreateQueryFilter($"{now - retention}")}";
        return TableBatchDeleter.DeleteWhereAsync(_table, filter, budget, cancellationToken);
    }
}
