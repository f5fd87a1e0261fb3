using Azure;
using Azure.Data.Tables;
using Libromi.Gateway.Hosting;
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
        var table = new TableClient(azurite.ConnectionString, FleetLedgerStore.TableName);
        try
        {
            await table.DeleteEntityAsync(FleetLedgerStore.PartitionKey, FleetLedgerStore.RowKey);
            // The scenario calls' row, next to the contact calls' (docs/scenarios.md); deleting a missing entity is a no-op.
            await table.DeleteEntityAsync(FleetLedgerStore.PartitionKey, ScenarioServiceCollectionExtensions.LedgerRowKey);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // Nothing has run yet: the table does not exist.
        }
    }
}
