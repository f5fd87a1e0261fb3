using Libromi.Gateway.Storage;
using Libromi.Gateway.Trail;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Libromi.Gateway.Functions;

/// <summary>
/// HTTP triggers of the trail: operations and deliveries take a function key, a delivery's body the admin key
/// (AuthorizationLevel.Admin). Each hands over to the handler the standalone host maps.
/// </summary>
public sealed class TrailFunctions(OperationTrail trail, DeliveryLog deliveries, StorageDeadline storageDeadline)
{
    [Function("OperationsSearch")]
    public Task<IActionResult> SearchOperationsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "operations")] HttpRequest request, CancellationToken cancellationToken) =>
        TrailApi.SearchOperationsAsync(request, trail, deliveries, storageDeadline, cancellationToken).WriteAsync(request);

    [Function("Operation")]
    public Task<IActionResult> GetOperationAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "operations/{id}")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        TrailApi.GetOperationAsync(id, trail, storageDeadline, cancellationToken).WriteAsync(request);

    [Function("DeliveriesSearch")]
    public Task<IActionResult> SearchDeliveriesAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "deliveries")] HttpRequest request, CancellationToken cancellationToken) =>
        TrailApi.SearchDeliveriesAsync(request, deliveries, storageDeadline, cancellationToken).WriteAsync(request);

    [Function("Delivery")]
    public Task<IActionResult> GetDeliveryAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "deliveries/{id}")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        TrailApi.GetDeliveryAsync(id, deliveries, storageDeadline, cancellationToken).WriteAsync(request);

    [Function("DeliveryBody")]
    public Task<IActionResult> GetDeliveryBodyAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "deliveries/{id}/body")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        TrailApi.GetDeliveryBodyAsync(id, deliveries, storageDeadline, cancellationToken).WriteAsync(request);
}
