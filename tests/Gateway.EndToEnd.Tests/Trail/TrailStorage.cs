using System.Text;
using Azure.Data.Tables;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.Trail;

namespace Libromi.Gateway.EndToEnd.Trail;

/// <summary>Reads the trail's day tables directly, to prove what is (and is not) stored.</summary>
internal static class TrailStorage
{
    public static TableServiceClient Tables(AzuriteFixture azurite) => new(azurite.ConnectionString);

    /// <summary>Every property value of every row of every trail table, as text (binary bodies decoded as UTF-8).</summary>
    public static async Task<List<string>> AllValuesAsync(AzuriteFixture azurite)
    {
        var values = new List<string>();
        var tables = Tables(azurite);
        await foreach (var table in tables.QueryAsync(TableServiceClient.CreateQueryFilter($"TableName ge {TrailKey.TablePrefix} and TableName lt {TrailKey.TablePrefix + "~"}")))
        {
            await foreach (var row in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                values.Add(row.RowKey);
                values.AddRange(row.Select(property => property.Value).Select(v => v switch
                {
                    byte[] bytes => Encoding.UTF8.GetString(bytes),
                    _ => v?.ToString() ?? "",
                }));
            }
        }
        return values;
    }

    public static async Task<List<string>> TrailTablesAsync(AzuriteFixture azurite)
    {
        var names = new List<string>();
        await foreach (var table in Tables(azurite).QueryAsync(TableServiceClient.CreateQueryFilter($"TableName ge {TrailKey.TablePrefix} and TableName lt {TrailKey.TablePrefix + "~"}")))
        {
            names.Add(table.Name);
        }
        return names;
    }
}
