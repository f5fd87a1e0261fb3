using Azure.Data.Tables;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Retention;
using Libromi.Gateway.Scenarios;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.EndToEnd.Retention;

/// <summary>Scenario intent rows go once older than <see cref="RetentionOptions.ScenarioIntents"/>, and never earlier.</summary>
public sealed class ScenarioIntentRetentionTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Intent_rows_older_than_the_retention_are_deleted_and_younger_ones_stay()
    {
        var now = DateTimeOffset.UtcNow;
        var retention = new RetentionOptions().ScenarioIntents;
        var tables = RetentionStorage.Tables(fixture.Azurite);
        var (old, young) = ($"old{Guid.NewGuid():N}", $"young{Guid.NewGuid():N}");
        await new ScenarioIntents(tables, new FakeTimeProvider(now - retention - TimeSpan.FromHours(1))).RecordIntentAsync(old, 0, "order_confirmation");
        await new ScenarioIntents(tables, new FakeTimeProvider(now - retention - TimeSpan.FromHours(1))).RecordOutcomeAsync(old, 0, delivered: true);
        await new ScenarioIntents(tables, new FakeTimeProvider(now - retention + TimeSpan.FromMinutes(1))).RecordIntentAsync(young, 0, "order_confirmation");

        var result = await RetentionStorage.Sweeper(fixture.Azurite, now).SweepAsync();

        Assert.True(result.ScenarioIntentsDeleted >= 1);
        var intents = new ScenarioIntents(tables, TimeProvider.System);
        Assert.Equal(ScenarioIntentState.None, await intents.ReadAsync(old, 0));
        Assert.Equal(ScenarioIntentState.Pending, await intents.ReadAsync(young, 0));
        await foreach (var _ in tables.GetTableClient(ScenarioIntents.TableName).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {old}")))
        {
            Assert.Fail("the expired intent row is still there");
        }
    }
}
