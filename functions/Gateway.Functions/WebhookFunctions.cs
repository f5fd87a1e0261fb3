using Libromi.Gateway.Configuration;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Trail;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Functions;

/// <summary>
/// The inbound webhook route. Anonymous at the HTTP level (senders such as HubSpot cannot add a function key); each
/// delivery is authenticated by its integration's verification scheme in the core.
/// </summary>
public sealed class WebhookFunctions(WebhookIngestor hooks, DeliveryLog deliveryLog, IOptions<GatewayOptions> gateway)
{
    [Function("Hooks")]
    public Task<IActionResult> AcceptAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hooks/{integration}")] HttpRequest request, string integration, CancellationToken cancellationToken) =>
        WebhooksApi.AcceptAsync(integration, request, hooks, deliveryLog, gateway, cancellationToken).WriteAsync(request);
}
