using System.Net;
using System.Text;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Imports;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Imports;
using Libromi.Gateway.Retention;

namespace Libromi.Gateway.EndToEnd.Retention;

/// <summary>
/// Imports travel the real way (HTTP, bulk queue, simulator, progress in the imports table); the sweep then runs on a
/// clock a month on. Only an import finished longer than the retention ago goes; one still running stays whatever its age.
/// No status page polls here, so every import is still in the list of running imports when the sweep comes.
/// </summary>
public sealed class ImportRetentionTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private static readonly TimeSpan Retention = new RetentionOptions().FinishedImports;

    [Fact]
    public async Task Finished_import_past_the_retention_is_deleted_while_a_running_and_a_recently_finished_one_stay()
    {
        await fixture.ResetAsync();
        // The running import: uploaded first, its message held by a worker (hidden for 10 minutes), so it has rows left.
        string running;
        await using (var uploader = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, configureServices: GatewayHost.WithoutDrain))
        {
            running = await ImportAsync(uploader, 3, 0);
            var held = await uploader.Queues.Bulk.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(10));
            Assert.NotEmpty(held.Value);
        }
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        var old = await ImportAsync(gateway, 2, 10);
        var oldFinished = await FinishedAtAsync(gateway, old);
        var recent = await ImportAsync(gateway, 2, 20);
        var recentFinished = await FinishedAtAsync(gateway, recent);
        Assert.True(recentFinished > oldFinished);
        var recentRows = await RetentionStorage.ImportRowsAsync(fixture.Azurite, recent);
        var runningRows = await RetentionStorage.ImportRowsAsync(fixture.Azurite, running);

        // A month on, halfway between the two finishes: the first finished longer than the retention ago, the second not.
        var now = oldFinished + Retention + (recentFinished - oldFinished) / 2;
        var result = await RetentionStorage.Sweeper(fixture.Azurite, now).SweepAsync();

        Assert.Equal((1, 0), (result.ImportsDeleted, result.ImportsUnfinished));
        Assert.Empty(await RetentionStorage.ImportRowsAsync(fixture.Azurite, old));
        // The list of running imports is a partition of the same table: never taken for an import, and the deleted one is off it.
        Assert.Equal(
            new[] { running, recent }.Select(RunningImportIndex.RowKeyOf).Order(StringComparer.Ordinal),
            (await RetentionStorage.RunningImportKeysAsync(fixture.Azurite)).Order(StringComparer.Ordinal));
        using (var gone = await gateway.Client.GetAsync(ImportsLocation(old)))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
        Assert.Equal(recentRows.Order(), (await RetentionStorage.ImportRowsAsync(fixture.Azurite, recent)).Order());
        Assert.Equal("completed", (await gateway.GetProgressAsync(ImportsLocation(recent)))["status"]!.GetValue<string>());
        Assert.Equal(runningRows.Order(), (await RetentionStorage.ImportRowsAsync(fixture.Azurite, running)).Order());
        var runningProgress = await gateway.GetProgressAsync(ImportsLocation(running));
        Assert.Equal(("queued", 3L), (runningProgress["status"]!.GetValue<string>(), runningProgress["pending"]!.GetValue<long>()));
    }

    /// <summary>Uploads <paramref name="rows"/> contacts (phone numbers from <paramref name="firstPhone"/> on) and returns the import's id.</summary>
    internal static async Task<string> ImportAsync(GatewayHost gateway, int rows, int firstPhone)
    {
        var csv = new StringBuilder("phone_number,city\n");
        for (var i = 0; i < rows; i++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"4477009007{firstPhone + i:00},Ely\n");
        }
        using var response = await gateway.PostFileAsync(csv.ToString());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.ReadJsonAsync())["import_id"]!.GetValue<string>();
    }

    internal static async Task<DateTimeOffset> FinishedAtAsync(GatewayHost gateway, string importId)
    {
        var progress = await gateway.WaitForProgressAsync(ImportsLocation(importId), ImportClient.IsFinished, $"import {importId} to finish");
        return progress["finished_at"]!.GetValue<DateTimeOffset>();
    }

    internal static string ImportsLocation(string importId) => "/api/imports/" + importId;
}
