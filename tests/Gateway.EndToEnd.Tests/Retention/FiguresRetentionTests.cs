using Azure.Data.Tables;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Figures;
using Libromi.Gateway.Trail;

namespace Libromi.Gateway.EndToEnd.Retention;

/// <summary>Hourly figure rows go once their hour is a day past the 24 h window the figures route reads, and not before.</summary>
public sealed class FiguresRetentionTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Figure_rows_a_day_past_the_window_are_deleted_and_later_ones_stay()
    {
        var now = DateTimeOffset.UtcNow;
        var integration = $"fig{Guid.NewGuid():N}";
        var lastKept = FigureHours.WindowStart(now).AddHours(-24);
        var tally = new FigureTally();
        foreach (var hour in new[] { lastKept.AddHours(-5), lastKept.AddHours(-1), lastKept, FigureHours.WindowStart(now), FigureHours.Of(now) })
        {
            tally.CountDelivery(integration, DeliveryOutcomes.Accepted, null, hour.AddMinutes(30));
        }
        await new FigureTable(RetentionStorage.Tables(fixture.Azurite)).WriteAsync(tally.TakeChanged(), CancellationToken.None);

        var result = await RetentionStorage.Sweeper(fixture.Azurite, now).SweepAsync();

        Assert.True(result.FigureRowsDeleted >= 2);
        var left = new List<DateTimeOffset>();
        await foreach (var row in RetentionStorage.Tables(fixture.Azurite).GetTableClient(FigureTable.TableName)
            .QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {integration}")))
        {
            left.Add(row.GetDateTimeOffset("Hour")!.Value);
        }
        Assert.Equal([lastKept, FigureHours.WindowStart(now), FigureHours.Of(now)], left.Order());
    }
}
