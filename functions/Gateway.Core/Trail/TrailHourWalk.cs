using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace Libromi.Gateway.Trail;

/// <summary>
/// One page of a trail search: the hour partitions of the window newest first, in each the rows whose keys start with
/// <see cref="RowPrefix"/> from <see cref="Until"/> back to <see cref="Since"/>, resuming after <see cref="Cursor"/>,
/// until <see cref="Limit"/> items are found. The operation search and the delivery log differ only in the rows they
/// read, the filter they add on the service and how a row becomes an item.
/// </summary>
internal sealed record TrailHourWalk(DateTimeOffset Since, DateTimeOffset Until, int Limit, TrailCursor? Cursor, string RowPrefix)
{
    /// <summary>More conditions for the service, joined to every partition's filter with "and".</summary>
    public string? Filter { get; init; }

    /// <summary>The columns to read; all when null.</summary>
    public IEnumerable<string>? Select { get; init; }

    /// <summary>
    /// Reads the page, turning each row into an item with <paramref name="read"/>; a row it turns into null does not
    /// count. The cursor is the hour and row key of the last item, or null when the window is read to its end.
    /// </summary>
    public async Task<(IReadOnlyList<T> Items, TrailCursor? Next)> ReadAsync<T>(
        TableServiceClient tables, Func<TableEntity, CancellationToken, ValueTask<T?>> read, CancellationToken cancellationToken)
        where T : class
    {
        var items = new List<T>(Limit);
        var resume = Cursor;
        string? missingTable = null;
        foreach (var hour in TrailHours.Between(Since, Until, resume?.Hour))
        {
            var key = TrailKey.For("", hour);
            if (key.TableName == missingTable)
            {
                continue;
            }
            var after = resume is { } r && r.Hour == hour ? r.RowKey : null;
            resume = null;
            var filter = FilterFor(hour, after);
            try
            {
                await foreach (var entity in tables.GetTableClient(key.TableName)
                    .QueryAsync<TableEntity>(filter, maxPerPage: Math.Max(Limit, 10), Select, cancellationToken).ConfigureAwait(false))
                {
                    if (await read(entity, cancellationToken).ConfigureAwait(false) is not { } item)
                    {
                        continue;
                    }
                    items.Add(item);
                    if (items.Count == Limit)
                    {
                        return (items, new TrailCursor(hour, entity.RowKey));
                    }
                }
            }
            catch (RequestFailedException exception) when (exception.ErrorCode == TableErrorCode.TableNotFound)
            {
                // Nothing was recorded that day (or it was swept): skip its other hours.
                missingTable = key.TableName;
            }
        }
        return (items, null);
    }

    /// <summary>The service filter of one hour partition: its row-key range, after the cursor's row when it stopped there, and <see cref="Filter"/>.</summary>
    internal string FilterFor(DateTimeOffset hour, string? afterRowKey)
    {
        var (low, high) = RowRange(hour);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TrailKey.PartitionOf(hour)} and RowKey ge {low} and RowKey le {high}");
        if (afterRowKey is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey gt {afterRowKey}");
        }
        if (Filter is not null)
        {
            filter += " and " + Filter;
        }
        return filter;
    }

    /// <summary>The row keys one hour partition is read between, newest first: the window cut to the hour.</summary>
    internal (string Low, string High) RowRange(DateTimeOffset hour)
    {
        // Within the hour: from Until (fewest milliseconds left in the day is newest) to Since.
        var hourEnd = hour.AddHours(1).AddMilliseconds(-1);
        var newest = Until < hourEnd ? Until : hourEnd;
        var oldest = Since > hour ? Since : hour;
        return (RowPrefix + TrailKey.ClockOf(newest), RowPrefix + TrailKey.ClockOf(oldest) + "~");
    }
}
