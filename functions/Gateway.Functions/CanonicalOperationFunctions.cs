using Libromi.Gateway.Configuration;
using Libromi.Gateway.Health;
using Libromi.Gateway.Ingest;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Scenarios;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Functions;

/// <summary>HTTP triggers of the canonical routes. Function keys guard them on Azure (AuthorizationLevel.Function).</summary>
public sealed class CanonicalOperationFunctions(
    OperationIngestor ingestor, IOptions<GatewayOptions> gateway, IOptions<LibromiClientOptions> libromi, IOptions<ScenarioOptions> scenarios, HealthReporter health)
{
    [Function("Contacts")]
    public Task<IActionResult> AcceptContactAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "contacts")] HttpRequest request, CancellationToken cancellationToken) =>
        CanonicalOperationsApi.AcceptContactAsync(request, ingestor, gateway, libromi, cancellationToken).WriteAsync(request);

    [Function("StaffAssignments")]
    public Task<IActionResult> AcceptStaffAssignmentAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "staff-assignments")] HttpRequest request, CancellationToken cancellationToken) =>
        CanonicalOperationsApi.AcceptStaffAssignmentAsync(request, ingestor, gateway, libromi, cancellationToken).WriteAsync(request);

    [Function("ScenarioTriggers")]
    public Task<IActionResult> AcceptScenarioTriggerAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "scenario-triggers")] HttpRequest request, CancellationToken cancellationToken) =>
        CanonicalOperationsApi.AcceptScenarioTriggerAsync(request, ingestor, gateway, libromi, scenarios, cancellationToken).WriteAsync(request);

    [Function("Health")]
    public Task<IActionResult> HealthAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request, CancellationToken cancellationToken) =>
        HealthReporter.HandleAsync(health, cancellationToken).WriteAsync(request);
}
