using System.Globalization;
using System.Net;
using Azure.Data.Tables;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.EndToEnd.Retention;
using Libromi.Gateway.Retention;
using Libromi.Gateway.Trail;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.EndToEnd.Trail;

/// <summary>The trail is kept for <c>Retention__Trail</c> in whole days and then deleted a day at a time by the retention sweep.</summary>
public sealed class TrailRetentionTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Operation_and_delivery_trail_answers_until_its_day_passes_the_retention_then_404()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator,
            configureServices: services =>
            {
                services.AddKeyedSingleton<TimeProvider>(GatewayClock.Key, clock);
                // This test sweeps itself; the scheduled sweep would race it on the jumping clock.
                services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(RetentionService)));
            });
        var id = await gateway.PostContactAsync("""{"phone_number": "+447700918001", "attributes": {"plan": "gold"}}""");
        await gateway.WaitForStateAsync(id, OperationStates.Delivered);
        var sweeper = gateway.App.Services.GetRequiredService<RetentionSweeper>();
        var retention = new RetentionOptions().Trail;
        var endOfToday = TrailHours.Floor(clock.GetUtcNow()).Date.AddDays(1);
        var lastKeptInstant = new DateTimeOffset(endOfToday, TimeSpan.Zero) + retention - TimeSpan.FromTicks(1);

        clock.SetUtcNow(lastKeptInstant);
        var kept = await sweeper.SweepAsync();

        Assert.Equal(0, kept.TrailDaysDeleted);
        Assert.NotNull(await gateway.GetOperationAsync(id));

        clock.Advance(TimeSpan.FromTicks(1));
        var swept = await sweeper.SweepAsync();

        Assert.True(swept.TrailDaysDeleted >= 1);
        var response = await gateway.Client.GetAsync($"/api/operations/{id}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Sweep_deletes_only_trail_days_wholly_older_than_the_retention_and_leaves_other_tables()
    {
        var now = new DateTimeOffset(2031, 5, 20, 10, 0, 0, TimeSpan.Zero);
        var tables = TrailStorage.Tables(fixture.Azurite);
        var days = Enumerable.Range(5, 6).Select(back => DateOnly.FromDateTime(now.UtcDateTime).AddDays(-back)).ToList();
        foreach (var day in days)
        {
            var table = tables.GetTableClient(TrailKey.TablePrefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
            await table.CreateIfNotExistsAsync();
            await table.AddEntityAsync(new TableEntity("00", "o1"));
        }
        await tables.GetTableClient("trailnotaday").CreateIfNotExistsAsync();

        var result = await RetentionStorage.Sweeper(fixture.Azurite, now, new RetentionOptions { Trail = TimeSpan.FromDays(7) }).SweepAsync();

        // A day goes once its end (the next midnight) is 7 days old: 8 or more days back; 7 days back ends 6 days and 14 hours ago.
        var remaining = await TrailStorage.TrailTablesAsync(fixture.Azurite);
        var expectedDeleted = days.Where(d => RetentionPolicy.IsTrailDayExpired(d, now, TimeSpan.FromDays(7))).Select(Name).ToList();
        Assert.Equal([8, 9, 10], days.Where(d => expectedDeleted.Contains(Name(d))).Select(d => DateOnly.FromDateTime(now.UtcDateTime).DayNumber - d.DayNumber));
        Assert.True(result.TrailDaysDeleted >= expectedDeleted.Count);
        Assert.DoesNotContain(remaining, expectedDeleted.Contains);
        Assert.Superset(days.Select(Name).Except(expectedDeleted).ToHashSet(), remaining.ToHashSet());
        Assert.Contains("trailnotaday", remaining);
    }

    private static string Name(DateOnly day) => TrailKey.TablePrefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
