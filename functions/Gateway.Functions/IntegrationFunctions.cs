using Libromi.Gateway.Configuration;
using Libromi.Gateway.Webhooks.DryRun;
using Libromi.Gateway.Storage;
using Libromi.Gateway.Trail;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Functions;

/// <summary>
/// The dry run of an integration on a sample delivery: an operator route, so the host's admin key
/// (AuthorizationLevel.Admin). Hands over to the same core handler the standalone host maps.
/// </summary>
public sealed class IntegrationFunctions(IntegrationDryRunner runner, IOptions<GatewayOptions> gateway, DeliveryLog deliveries, StorageDeadline storageDeadline)
{
    [Function("IntegrationTest")]
    public Task<IActionResult> TestAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "integrations/{name}/test")] HttpRequest request, string name, CancellationToken cancellationToken) =>
        IntegrationTestApi.TestAsync(name, request, runner, gateway, deliveries, storageDeadline, cancellationToken).WriteAsync(request);
}
