using Libromi.Gateway.DeadLetters;
using Libromi.Gateway.Health;
using Libromi.Gateway.Imports;
using Libromi.Gateway.Http;
using Libromi.Gateway.Ingest;
using Libromi.Gateway.Replays;
using Libromi.Gateway.Status;
using Libromi.Gateway.Trail;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Libromi.Gateway.Hosting;

public static class GatewayEndpointRouteBuilderExtensions
{
    /// <summary>The public routes (the README's contract table) for the standalone host.</summary>
    public static RouteGroupBuilder MapGatewayApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");
        api.MapPost("/contacts", CanonicalOperationsApi.AcceptContactAsync).AddEndpointFilter(new GatewayKeyFilter(GatewayKeyRole.Api));
        api.MapPost("/staff-assignments", CanonicalOperationsApi.AcceptStaffAssignmentAsync).AddEndpointFilter(new GatewayKeyFilter(GatewayKeyRole.Api));
        api.MapPost("/scenario-triggers", CanonicalOperationsApi.AcceptScenarioTriggerAsync).AddEndpointFilter(new GatewayKeyFilter(GatewayKeyRole.Api));
        api.MapPost("/hooks/{integration}", Webhooks.WebhooksApi.AcceptAsync);
        api.MapImportsApi();
        api.MapGet("/health", HealthReporter.HandleAsync);
        api.MapGet("/health/live", HealthReporter.HandleLive);
        api.MapGet("/health/ready", HealthReporter.HandleReadyAsync);
        api.MapGet("/status", StatusReporter.HandleAsync);

        var apiKey = new GatewayKeyFilter(GatewayKeyRole.Api);
        var admin = new GatewayKeyFilter(GatewayKeyRole.Admin);
        api.MapGet("/operations", TrailApi.SearchOperationsAsync).AddEndpointFilter(apiKey);
        api.MapGet("/operations/{id}", TrailApi.GetOperationAsync).AddEndpointFilter(apiKey);
        api.MapGet("/deliveries", TrailApi.SearchDeliveriesAsync).AddEndpointFilter(apiKey);
        api.MapGet("/deliveries/{id}", TrailApi.GetDeliveryAsync).AddEndpointFilter(apiKey);
        api.MapGet("/deliveries/{id}/body", TrailApi.GetDeliveryBodyAsync).AddEndpointFilter(admin);
        api.MapGet("/integrations/figures", FiguresApi.GetAsync).AddEndpointFilter(apiKey);

        api.MapGet("/dead-letters", DeadLettersApi.ListAsync).AddEndpointFilter(admin);
        api.MapPost("/dead-letters/replay", DeadLettersApi.ReplayManyAsync).AddEndpointFilter(admin);
        api.MapPost("/dead-letters/{id}/replay", DeadLettersApi.ReplayOneAsync).AddEndpointFilter(admin);
        api.MapDelete("/dead-letters/{id}", DeadLettersApi.DeleteAsync).AddEndpointFilter(admin);
        api.MapPost("/replays", ReplaysApi.StartAsync).AddEndpointFilter(admin);
        api.MapGet("/replays/{id}", ReplaysApi.GetAsync).AddEndpointFilter(admin);
        api.MapPost("/integrations/{name}/test", Webhooks.DryRun.IntegrationTestApi.TestAsync).AddEndpointFilter(admin);

        // The status page is public like /api/health; dead letters on it need the admin key.
        endpoints.MapGet("/status", StatusPage.Handle);
        endpoints.MapGet("/", () => TypedResults.Redirect("/status"));
        return api;
    }
}
