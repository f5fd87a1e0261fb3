using Libromi.Gateway.Health;
using Libromi.Gateway.Imports;
using Libromi.Gateway.Http;
using Libromi.Gateway.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Libromi.Gateway.Hosting;

public static class GatewayEndpointRouteBuilderExtensions
{
    /// <summary>The public routes (DESIGN.md, External contract) for the standalone host.</summary>
    public static RouteGroupBuilder MapGatewayApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");
        api.MapPost("/contacts", CanonicalOperationsApi.AcceptContactAsync).AddEndpointFilter(new GatewayKeyFilter(GatewayKeyRole.Api));
        api.MapPost("/staff-assignments", CanonicalOperationsApi.AcceptStaffAssignmentAsync).AddEndpointFilter(new GatewayKeyFilter(GatewayKeyRole.Api));
        api.MapImportsApi();
        api.MapGet("/health", HealthReporter.HandleAsync);
        return api;
    }
}
