using Azure.Data.Tables;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.Imports;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Retention;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.EndToEnd.Retention;

/// <summary>The real storage parts of a sweep on a test's Azurite: identities recorded at a chosen time, a sweeper on a chosen clock, and what is left.</summary>
internal static class RetentionStorage
{
    public static TableServiceClient Tables(AzuriteFixture azurite) => new(azurite.ConnectionString);

    /// <summary>Records identities the way the webhook route does, as if at <paramref name="seenAt"/>.</summary>
    public static async Task<IReadOnlyList<string>> RecordAsync(AzuriteFixture azurite, string integration, DateTimeOffset seenAt, int count, string prefix)
    {
        var deduplicator = new DeliveryDeduplicator(Tables(azurite), Options.Create(new HookOptions()), new FakeTimeProvider(seenAt));
        await deduplicator.CreateTableIfNotExistsAsync();
        var identities = Enumerable.Range(0, count).Select(i => new DeliveryIdentity("header", $"header:{prefix}-{i}")).ToList();
        await deduplicator.RecordAsync(integration, identities);
        return [.. identities.Select(i => i.Key)];
    }

    /// <summary>The identity keys stored for <paramref name="integration"/>, whatever their age.</summary>
    public static Task<IReadOnlyList<string>> IdentitiesAsync(AzuriteFixture azurite, string integration) =>
        RowKeysAsync(azurite, DeliveryDeduplicator.TableName, integration);

    /// <summary>How many identities in the whole table are at or past their window at <paramref name="now"/>.</summary>
    public static async Task<int> ExpiredIdentitiesAsync(AzuriteFixture azurite, DateTimeOffset now)
    {
        var table = Tables(azurite).GetTableClient(DeliveryDeduplicator.TableName);
        var cutoff = RetentionPolicy.DeliveriesExpireAtOrBefore(now, new HookOptions().DeduplicationWindow);
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"SeenAt le {cutoff}"), select: ["RowKey"]))
        {
            count++;
        }
        return count;
    }

    /// <summary>Every entity of an import's partition (header, chunks, failed rows).</summary>
    public static Task<IReadOnlyList<string>> ImportRowsAsync(AzuriteFixture azurite, string importId) =>
        RowKeysAsync(azurite, ImportTable.TableName, importId);

    /// <summary>The row keys of the list of running imports (<see cref="RunningImportIndex.RowKeyOf"/> of each id listed).</summary>
    public static Task<IReadOnlyList<string>> RunningImportKeysAsync(AzuriteFixture azurite) =>
        RowKeysAsync(azurite, ImportTable.TableName, RunningImportIndex.Partition);

    public static RetentionSweeper Sweeper(AzuriteFixture azurite, DateTimeOffset now, RetentionOptions? options = null)
    {
        var tables = Tables(azurite);
        return new RetentionSweeper(tables, new ImportTable(tables), Options.Create(options ?? new RetentionOptions()),
            Options.Create(new HookOptions()), new FakeTimeProvider(now), NullLogger<RetentionSweeper>.Instance);
    }

    private static async Task<IReadOnlyList<string>> RowKeysAsync(AzuriteFixture azurite, string tableName, string partition)
    {
        var keys = new List<string>();
        await foreach (var row in Tables(azurite).GetTableClient(tableName).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["RowKey"]))
        {
            keys.Add(row.RowKey);
        }
        return keys;
    }
}
