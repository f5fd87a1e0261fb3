using Azure;
using Azure.Data.Tables;
using Libromi.Gateway.Trail;

namespace Libromi.Gateway.Retention;

/// <summary>
/// Deletes the trail's day tables (<c>trail{yyyyMMdd}</c>, see <see cref="TrailKey"/>) once the whole day is older than
/// <see cref="RetentionOptions.Trail"/>: one request per day, however many operations and deliveries it held. A year at
/// 10,000 operations an hour would otherwise be about 350,000 entity deletions a day, past any sweep budget.
/// </summary>
internal sealed class TrailRetention(TableServiceClient tables)
{
    /// <returns>Day tables deleted.</returns>
    public async Task<int> SweepAsync(DateTimeOffset now, TimeSpan retention, DeleteBudget budget, CancellationToken cancellationToken)
    {
        var expired = new List<string>();
        var filter = TableServiceClient.CreateQueryFilter($"TableName ge {TrailKey.TablePrefix} and TableName lt {TrailKey.TablePrefix + "~"}");
        await foreach (var table in tables.QueryAsync(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (TrailKey.DayOf(table.Name) is { } day && RetentionPolicy.IsTrailDayExpired(day, now, retention))
            {
                expired.Add(table.Name);
            }
        }
        var deleted = 0;
        foreach (var name in expired)
        {
            if (!budget.TryTake())
            {
                break;
            }
            try
            {
                await tables.DeleteTableAsync(name, cancellationToken).ConfigureAwait(false);
                deleted++;
            }
            catch (RequestFailedException exception) when (exception.Status == 404)
            {
                // Another instance's sweep deleted it first.
            }
        }
        return deleted;
    }
}
