using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Trail;

namespace Libromi.Gateway.EndToEnd.Trail;

/// <summary>The batching writer against real table storage: a late "queued" row never hides a state recorded before it.</summary>
public sealed class TrailWriterTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Queued_row_landing_after_the_delivered_state_keeps_the_state_and_adds_what_only_ingest_knew()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, configureServices: GatewayHost.WithoutDrain);
        var writer = gateway.App.Services.GetRequiredService<TrailWriter>();
        var trail = gateway.App.Services.GetRequiredService<OperationTrail>();
        var now = DateTimeOffset.UtcNow;
        var early = Envelope(now);
        var other = Envelope(now.AddMilliseconds(1));
        var delivery = TrailKey.NewId(now).Id;

        await writer.WriteAsync(OperationTrail.SettledRows(early, new Settlement(SettlementKind.Delivered, []), OperationStates.Delivered, now, 100, null));
        writer.Post(OperationTrail.QueuedRows(early, delivery).Concat(OperationTrail.QueuedRows(other, delivery)));
        await writer.FlushAsync();

        Assert.True(TrailKey.TryParse(early.OperationId, out var earlyKey));
        var view = (await trail.GetAsync(earlyKey.Value, CancellationToken.None))!;
        Assert.Equal(OperationStates.Delivered, view.State);
        Assert.Equal(delivery, view.Source.DeliveryId);
        Assert.Equal(["update_attributes"], view.Steps);
        Assert.True(TrailKey.TryParse(other.OperationId, out var otherKey));
        Assert.Equal(OperationStates.Queued, (await trail.GetAsync(otherKey.Value, CancellationToken.None))!.State);
        Assert.Equal(0, writer.Dropped);
    }

    private static OperationEnvelope Envelope(DateTimeOffset at) => new()
    {
        OperationId = Guid.CreateVersion7(at).ToString("N"),
        PhoneNumber = "447700919001",
        Steps = [OperationStep.UpdateAttributes(new System.Text.Json.Nodes.JsonObject { ["a"] = 1 })],
        Source = "hook:shop",
        ReceivedAt = at,
        CorrelationId = "c",
    };
}
