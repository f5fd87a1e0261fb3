using Libromi.Gateway.Figures;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Status;
using Libromi.Gateway.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Functions;

/// <summary>The per-integration figures of the last 24 h: an API-key route (a function key), handed to the handler the standalone host maps.</summary>
public sealed class FigureFunctions(
    HookIntegrations integrations, FigureTable table, IOptions<FiguresOptions> options, StorageDeadline storageDeadline,
    [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider)
{
    [Function("IntegrationFigures")]
    public Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "integrations/figures")] HttpRequest request, CancellationToken cancellationToken) =>
        FiguresApi.GetAsync(integrations, table, options, storageDeadline, timeProvider, cancellationToken).WriteAsync(request);
}
