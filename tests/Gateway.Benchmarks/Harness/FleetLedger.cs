using Azure;
using Azure.Data.Tables;
using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.Benchmarks.Harness;

internal static class FleetLedger
{
    /// <summary>
    /// A fresh account for each measurement: the simulator forgot its window, so the fleet's ledger must too. Otherwise
    /// the previous run's last window (and the unsettled last lease of its stopped hosts) would shape this run's first
    /// window, and every later one repeats it.
    /// </summary>
    public static async Task ForgetAsync(AzuriteProcess azurite)
    {
        try
        {
            await new TableClient(azurite.ConnectionString, FleetLedgerStore.TableName).DeleteEntityAsync(FleetLedgerStore.PartitionKey, FleetLedgerStore.RowKey);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // Nothing has run yet: the table does not exist.
        }
    }
}
