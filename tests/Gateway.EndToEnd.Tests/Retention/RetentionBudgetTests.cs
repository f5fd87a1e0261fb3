using System.Net;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Imports;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Retention;

namespace Libromi.Gateway.EndToEnd.Retention;

/// <summary>
/// A sweep deletes at most its budget and leaves the rest to the next one, so a backlog is worked off in bounded
/// steps. The budget here is far below the documented minimum (100) to keep the data small.
/// </summary>
public sealed class RetentionBudgetTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private const int Budget = 20;
    private static readonly RetentionOptions SmallBudget = new() { MaxDeletesPerSweep = Budget };

    [Fact]
    public async Task Expired_identities_beyond_the_budget_wait_for_the_next_sweeps()
    {
        var now = DateTimeOffset.UtcNow;
        var integration = $"budget{Guid.NewGuid():N}";
        await RetentionStorage.RecordAsync(fixture.Azurite, integration, now - new HookOptions().DeduplicationWindow - TimeSpan.FromHours(1), 35, "old");
        var expired = await RetentionStorage.ExpiredIdentitiesAsync(fixture.Azurite, now);

        var sweeps = new List<RetentionSweepResult>();
        do
        {
            sweeps.Add(await RetentionStorage.Sweeper(fixture.Azurite, now, SmallBudget).SweepAsync());
            Assert.True(sweeps[^1].Deletions <= Budget);
            Assert.Equal(expired - sweeps.Sum(s => s.DeliveriesDeleted), await RetentionStorage.ExpiredIdentitiesAsync(fixture.Azurite, now));
        }
        while (sweeps[^1].DeliveriesDeleted > 0 && sweeps.Count < 10);

        // Deliveries may use half the budget a sweep.
        Assert.All(sweeps, s => Assert.True(s.DeliveriesDeleted <= Budget / 2));
        Assert.True(sweeps[0].BudgetSpent);
        Assert.Equal(expired, sweeps.Sum(s => s.DeliveriesDeleted));
        Assert.Empty(await RetentionStorage.IdentitiesAsync(fixture.Azurite, integration));
    }

    [Fact]
    public async Task Import_larger_than_the_budget_is_gone_from_the_api_at_once_and_deleted_over_several_sweeps()
    {
        await fixture.ResetAsync();
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?> { ["Imports:RowsPerMessage"] = "1" });
        var import = await ImportRetentionTests.ImportAsync(gateway, 30, 40);
        var finishedAt = await ImportRetentionTests.FinishedAtAsync(gateway, import);
        var rows = (await RetentionStorage.ImportRowsAsync(fixture.Azurite, import)).Count;
        Assert.True(rows > Budget, $"{rows} entities should not fit one sweep");
        var now = finishedAt + new RetentionOptions().FinishedImports + TimeSpan.FromMinutes(1);

        Assert.Contains(RunningImportIndex.RowKeyOf(import), await RetentionStorage.RunningImportKeysAsync(fixture.Azurite));

        var first = await RetentionStorage.Sweeper(fixture.Azurite, now, SmallBudget).SweepAsync();

        Assert.Equal((0, 1), (first.ImportsDeleted, first.ImportsUnfinished));
        Assert.True(first.Deletions <= Budget);
        var left = (await RetentionStorage.ImportRowsAsync(fixture.Azurite, import)).Count;
        Assert.InRange(left, 1, rows - Budget / 2);
        using (var gone = await gateway.Client.GetAsync(ImportRetentionTests.ImportsLocation(import)))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        var sweeps = 1;
        while ((await RetentionStorage.ImportRowsAsync(fixture.Azurite, import)).Count > 0 && sweeps < 10)
        {
            var next = await RetentionStorage.Sweeper(fixture.Azurite, now, SmallBudget).SweepAsync();
            Assert.True(next.Deletions <= Budget);
            sweeps++;
        }

        Assert.Empty(await RetentionStorage.ImportRowsAsync(fixture.Azurite, import));
        Assert.DoesNotContain(RunningImportIndex.RowKeyOf(import), await RetentionStorage.RunningImportKeysAsync(fixture.Azurite));
        Assert.InRange(sweeps, 2, (rows + Budget / 2 - 1) / (Budget / 2));
    }
}
