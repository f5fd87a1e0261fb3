using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Functions;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Libromi.Gateway.EndToEnd.Functions;

/// <summary>
/// The Azure Functions classes, called directly with the gateway's real services (Azurite, the simulator): quick
/// checks that the adapters hand over to the core and write its answers. They prove nothing about start-up, indexing,
/// routes, keys or trigger bindings; the worker tests (<c>Worker/</c>) run the same classes in the real worker process.
/// </summary>
public sealed class FunctionAdapterTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        // No background drain: on the Functions host only the drain functions send, and a second drain here would
        // hold the leadership the drain test needs.
        _gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, configureServices: GatewayHost.WithoutDrain);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Contacts_function_answers_202_and_the_operation_reaches_Libromi()
    {
        var functions = ActivatorUtilities.CreateInstance<CanonicalOperationFunctions>(_gateway.App.Services);
        var context = JsonRequest("""{"phone_number": "+447700900801", "attributes": {"city": "Derby"}}""");

        await functions.AcceptContactAsync(context.Request, CancellationToken.None);

        Assert.Equal(StatusCodes.Status202Accepted, context.Response.StatusCode);
        Assert.False(string.IsNullOrEmpty(ReadJson(context)["operation_id"]?.GetValue<string>()));
        await ActivatorUtilities.CreateInstance<OperationDrainFunctions>(_gateway.App.Services).DrainOnWakeAsync("wake", CancellationToken.None);
        var contact = await fixture.Simulator.Inspector.GetContactAsync("447700900801");
        Assert.Equal("Derby", contact!.Attributes["city"].GetString());
    }

    [Fact]
    public async Task Contacts_function_answers_bad_input_with_the_same_problem_as_the_standalone_host()
    {
        var functions = ActivatorUtilities.CreateInstance<CanonicalOperationFunctions>(_gateway.App.Services);
        var context = JsonRequest("""{"phone_number": "12"}""");

        await functions.AcceptContactAsync(context.Request, CancellationToken.None);

        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        Assert.StartsWith("application/problem+json", context.Response.ContentType, StringComparison.Ordinal);
        Assert.NotNull(ReadJson(context)["errors"]!["phone_number"]);
    }

    [Fact]
    public async Task Drain_function_delivers_queued_work_through_the_core_drain_and_returns_once_the_queues_are_empty()
    {
        var functions = ActivatorUtilities.CreateInstance<OperationDrainFunctions>(_gateway.App.Services);
        var envelope = new OperationEnvelope
        {
            OperationId = "fn-test-1",
            PhoneNumber = "447700900802",
            Steps = [OperationStep.UpdateAttributes(new JsonObject { ["tier"] = "gold" })],
            Source = "test",
            ReceivedAt = DateTimeOffset.UtcNow,
            CorrelationId = "fn-test-1",
        };
        await _gateway.App.Services.GetRequiredService<OperationQueues>().EnqueueAsync(envelope);

        await functions.DrainOnWakeAsync("wake", CancellationToken.None);

        var contact = await fixture.Simulator.Inspector.GetContactAsync("447700900802");
        Assert.Equal("gold", contact!.Attributes["tier"].GetString());
        Assert.Equal(0, (await _gateway.App.Services.GetRequiredService<OperationQueues>().Realtime.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Health_function_reports_storage_and_circuit()
    {
        var functions = ActivatorUtilities.CreateInstance<CanonicalOperationFunctions>(_gateway.App.Services);
        var context = new DefaultHttpContext { RequestServices = _gateway.App.Services };
        context.Response.Body = new MemoryStream();

        await functions.HealthAsync(context.Request, CancellationToken.None);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        var health = ReadJson(context);
        Assert.True(health["storage"]!["reachable"]!.GetValue<bool>());
        Assert.Equal("closed", health["circuit"]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Retention_timer_function_runs_the_core_sweep()
    {
        var integration = $"timer{Guid.NewGuid():N}";
        await Retention.RetentionStorage.RecordAsync(fixture.Azurite, integration, DateTimeOffset.UtcNow - TimeSpan.FromDays(2), 3, "old");
        var functions = ActivatorUtilities.CreateInstance<RetentionFunctions>(_gateway.App.Services);

        await functions.SweepAsync(new TimerInfo(), CancellationToken.None);

        Assert.Empty(await Retention.RetentionStorage.IdentitiesAsync(fixture.Azurite, integration));
    }

    private DefaultHttpContext JsonRequest(string json)
    {
        var context = new DefaultHttpContext { RequestServices = _gateway.App.Services };
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static JsonNode ReadJson(DefaultHttpContext context)
    {
        context.Response.Body.Position = 0;
        return JsonNode.Parse(context.Response.Body)!;
    }
}
