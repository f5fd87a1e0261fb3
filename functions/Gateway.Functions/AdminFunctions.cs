using Libromi.Gateway.DeadLetters;
using Libromi.Gateway.Health;
using Libromi.Gateway.Status;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Libromi.Gateway.Functions;

/// <summary>
/// HTTP triggers of the operator routes: dead letters (the host's admin key: AuthorizationLevel.Admin, so a
/// function key does not open them), the liveness and readiness probes, and the status page with its JSON.
/// Each hands over to the same core handler the standalone host maps.
/// </summary>
public sealed class AdminFunctions(DeadLetterStore store, DeadLetterReplayer replayer, HealthReporter health, StatusReporter status)
{
    [Function("DeadLettersList")]
    public Task<IActionResult> ListDeadLettersAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "dead-letters")] HttpRequest request, CancellationToken cancellationToken) =>
        DeadLettersApi.ListAsync(request, store, cancellationToken).WriteAsync(request);

    [Function("DeadLettersReplayMany")]
    public Task<IActionResult> ReplayDeadLettersAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "dead-letters/replay")] HttpRequest request, CancellationToken cancellationToken) =>
        DeadLettersApi.ReplayManyAsync(request, store, replayer, cancellationToken).WriteAsync(request);

    [Function("DeadLetterReplay")]
    public Task<IActionResult> ReplayDeadLetterAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "dead-letters/{id}/replay")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        DeadLettersApi.ReplayOneAsync(id, store, replayer, cancellationToken).WriteAsync(request);

    [Function("DeadLetterDelete")]
    public Task<IActionResult> DeleteDeadLetterAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "dead-letters/{id}")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        DeadLettersApi.DeleteAsync(id, replayer, cancellationToken).WriteAsync(request);

    [Function("HealthLive")]
    public Task<IActionResult> LiveAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health/live")] HttpRequest request) =>
        Task.FromResult(HealthReporter.HandleLive()).WriteAsync(request);

    [Function("HealthReady")]
    public Task<IActionResult> ReadyAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health/ready")] HttpRequest request, CancellationToken cancellationToken) =>
        HealthReporter.HandleReadyAsync(health, cancellationToken).WriteAsync(request);

    [Function("Status")]
    public Task<IActionResult> StatusAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "status")] HttpRequest request, CancellationToken cancellationToken) =>
        StatusReporter.HandleAsync(status, cancellationToken).WriteAsync(request);

    /// <summary>On Azure every function route sits under <c>/api</c>, so the page is <c>/api/status/page</c>.</summary>
    [Function("StatusPage")]
    public Task<IActionResult> StatusPageAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "status/page")] HttpRequest request) =>
        Task.FromResult(StatusPage.Handle(request.HttpContext)).WriteAsync(request);
}
