using System.Net;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace Libromi.Gateway.Retention;

/// <summary>
/// Deletes the entities it is given, in entity group transactions of up to 100 of one partition (one request each,
/// one at a time), each on the condition that the entity is unchanged since it was read (its ETag), so a row rewritten
/// meanwhile (a delivery identity recorded again) survives. Entities must come partition by partition, as a query
/// returns them. Every entity taken counts against the sweep's budget, whether or not it ends up deleted.
/// </summary>
/// <remarks>
/// Safe beside another sweep of the same table (another instance): a transaction that meets an entity already gone
/// (404) fails whole, and its batch is left for the next sweep rather than retried here one entity at a time, since
/// the other sweep is deleting it anyway. An entity that changed (412) is dropped and the rest of its batch resubmitted.
/// </remarks>
internal sealed class TableBatchDeleter(TableClient table, DeleteBudget budget)
{
    // An entity group transaction holds at most 100 operations, all on one partition.
    private const int MaxBatch = 100;

    private readonly List<TableTransactionAction> _batch = new(MaxBatch);

    /// <summary>Entities deleted so far.</summary>
    public int Deleted { get; private set; }

    /// <summary>Entities left in place: changed since read, or part of a batch another sweep got to first.</summary>
    public int LeftInPlace { get; private set; }

    /// <summary>Queues <paramref name="entity"/> for deletion; false (and nothing queued) once the budget is spent.</summary>
    public async Task<bool> AddAsync(ITableEntity entity, CancellationToken cancellationToken)
    {
        if (_batch.Count == MaxBatch || (_batch.Count > 0 && _batch[0].Entity.PartitionKey != entity.PartitionKey))
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        if (!budget.TryTake())
        {
            return false;
        }
        _batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, entity, entity.ETag));
        return true;
    }

    /// <summary>Submits what is queued.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = _batch.ToList();
        _batch.Clear();
        while (batch.Count > 0)
        {
            try
            {
                await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
                Deleted += batch.Count;
                return;
            }
            catch (TableTransactionFailedException failed) when (failed.Status == (int)HttpStatusCode.PreconditionFailed && failed.FailedTransactionActionIndex is { } index && index < batch.Count)
            {
                batch.RemoveAt(index);
                LeftInPlace++;
            }
            catch (RequestFailedException failed) when (failed.Status is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.PreconditionFailed)
            {
                LeftInPlace += batch.Count;
                return;
            }
        }
    }

    /// <summary>
    /// Deletes the rows of <paramref name="table"/> that <paramref name="filter"/> selects (keys only are read), within
    /// <paramref name="budget"/>; a table never created has nothing to delete.
    /// </summary>
    /// <returns>Rows deleted.</returns>
    public static async Task<int> DeleteWhereAsync(TableClient table, string filter, DeleteBudget budget, CancellationToken cancellationToken)
    {
        var deleter = new TableBatchDeleter(table, budget);
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (!await deleter.AddAsync(row, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == TableErrorCode.TableNotFound)
        {
            return 0;
        }
        await deleter.FlushAsync(cancellationToken).ConfigureAwait(false);
        return deleter.Deleted;
    }
}
