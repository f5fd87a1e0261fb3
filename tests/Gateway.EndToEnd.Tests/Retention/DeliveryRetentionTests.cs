using System.Net;
using Azure.Data.Tables;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Hooks;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Retention;
using Microsoft.Extensions.Time.Testing;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.EndToEnd.Retention;

/// <summary>Delivery identities go once their deduplication window has passed, and never a moment earlier.</summary>
public sealed class DeliveryRetentionTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private static readonly TimeSpan Window = new HookOptions().DeduplicationWindow;

    [Fact]
    public async Task Expired_identities_are_deleted_and_identities_inside_the_window_stay()
    {
        var now = DateTimeOffset.UtcNow;
        var integration = $"ret{Guid.NewGuid():N}";
        var expired = await RetentionStorage.RecordAsync(fixture.Azurite, integration, now - Window - TimeSpan.FromHours(1), 30, "old");
        var atTheEdge = await RetentionStorage.RecordAsync(fixture.Azurite, integration, now - Window, 1, "edge");
        var fresh = await RetentionStorage.RecordAsync(fixture.Azurite, integration, now - Window + TimeSpan.FromMinutes(1), 10, "fresh");

        var result = await RetentionStorage.Sweeper(fixture.Azurite, now).SweepAsync();

        Assert.True(result.DeliveriesDeleted >= expired.Count + atTheEdge.Count);
        Assert.Equal(fresh.Order(), (await RetentionStorage.IdentitiesAsync(fixture.Azurite, integration)).Order());
    }

    [Fact]
    public async Task Redelivery_inside_the_window_is_still_deduplicated_after_a_sweep()
    {
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture);
        var expired = await RetentionStorage.RecordAsync(fixture.Azurite, "zapier", DateTimeOffset.UtcNow - Window - TimeSpan.FromHours(1), 5, "old");
        var body = $"phone={Uri.EscapeDataString(WebhookDeliveryTests.NewPhone())}&name=Ida";
        (string, string)[] headers = [("X-Api-Key", HookGateway.ZapierToken), ("X-Request-Id", Guid.NewGuid().ToString())];
        Assert.Equal(HttpStatusCode.Accepted, (await Senders.PostAsync(gateway.BaseAddress, "zapier", body, "application/x-www-form-urlencoded", headers)).StatusCode);

        // The host's own sweeper, as its schedule would run it.
        var result = await gateway.App.Services.GetRequiredService<RetentionSweeper>().SweepAsync();
        var redelivered = await Senders.PostAsync(gateway.BaseAddress, "zapier", body, "application/x-www-form-urlencoded", headers);

        Assert.True(result.DeliveriesDeleted >= expired.Count);
        Assert.DoesNotContain(await RetentionStorage.IdentitiesAsync(fixture.Azurite, "zapier"), expired.Contains);
        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        Assert.Equal(1, gateway.OperationsAccepted());
    }

    [Fact]
    public async Task Standalone_host_sweeps_at_the_next_scheduled_hour_of_the_gateway_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var integration = $"sched{Guid.NewGuid():N}";
        await RetentionStorage.RecordAsync(fixture.Azurite, integration, clock.GetUtcNow() - Window - TimeSpan.FromHours(1), 3, "old");
        var fresh = await RetentionStorage.RecordAsync(fixture.Azurite, integration, clock.GetUtcNow(), 2, "fresh");
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator,
            configureServices: services => services.AddKeyedSingleton<TimeProvider>(GatewayClock.Key, clock));

        await Task.Delay(500);
        Assert.Equal(5, (await RetentionStorage.IdentitiesAsync(fixture.Azurite, integration)).Count);

        clock.Advance(TimeSpan.FromHours(1));
        await Eventually.WaitForAsync(() => RetentionStorage.IdentitiesAsync(fixture.Azurite, integration), keys => keys.Count == fresh.Count, "the scheduled sweep");

        Assert.Equal(fresh.Order(), (await RetentionStorage.IdentitiesAsync(fixture.Azurite, integration)).Order());
        // The sweep logs once it has been through every table, a little after the identities are gone.
        await Eventually.WaitForAsync(() => Task.FromResult(gateway.Logs.GetSnapshot()), logs => logs.Any(r => r.Id.Name == "RetentionSwept"), "the sweep's log line");
    }

    [Fact]
    public async Task Two_sweeps_at_once_delete_each_expired_identity_once_and_fail_nothing()
    {
        var now = DateTimeOffset.UtcNow;
        var integrations = Enumerable.Range(0, 3).Select(i => $"pair{i}{Guid.NewGuid():N}").ToArray();
        foreach (var integration in integrations)
        {
            await RetentionStorage.RecordAsync(fixture.Azurite, integration, now - Window - TimeSpan.FromHours(2), 150, "old");
            await RetentionStorage.RecordAsync(fixture.Azurite, integration, now, 5, "fresh");
        }
        var expiredBefore = await RetentionStorage.ExpiredIdentitiesAsync(fixture.Azurite, now);

        var both = await Task.WhenAll(RetentionStorage.Sweeper(fixture.Azurite, now).SweepAsync(), RetentionStorage.Sweeper(fixture.Azurite, now).SweepAsync());
        // A batch the other sweep got to first is left for the next sweep, which finds what is left.
        var next = await RetentionStorage.Sweeper(fixture.Azurite, now).SweepAsync();

        Assert.Equal(expiredBefore, both.Sum(r => r.DeliveriesDeleted) + next.DeliveriesDeleted);
        Assert.Equal(0, await RetentionStorage.ExpiredIdentitiesAsync(fixture.Azurite, now));
        foreach (var integration in integrations)
        {
            Assert.Equal(5, (await RetentionStorage.IdentitiesAsync(fixture.Azurite, integration)).Count);
        }
    }

    [Fact]
    public async Task Identity_recorded_again_after_the_sweep_read_it_is_not_deleted()
    {
        var now = DateTimeOffset.UtcNow;
        var integration = $"again{Guid.NewGuid():N}";
        await RetentionStorage.RecordAsync(fixture.Azurite, integration, now - Window - TimeSpan.FromHours(1), 3, "key");
        var table = RetentionStorage.Tables(fixture.Azurite).GetTableClient(DeliveryDeduplicator.TableName);
        var read = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {integration}"), select: ["PartitionKey", "RowKey"]))
        {
            read.Add(row);
        }
        // The sender redelivers between the sweep's read and its delete: the identity is recorded again, now.
        await RetentionStorage.RecordAsync(fixture.Azurite, integration, now, 1, "key");

        var deleter = new TableBatchDeleter(table, new DeleteBudget(100));
        foreach (var row in read)
        {
            Assert.True(await deleter.AddAsync(row, CancellationToken.None));
        }
        await deleter.FlushAsync(CancellationToken.None);

        Assert.Equal((2, 1), (deleter.Deleted, deleter.LeftInPlace));
        Assert.Equal(["header:key-0"], await RetentionStorage.IdentitiesAsync(fixture.Azurite, integration));
    }
}
