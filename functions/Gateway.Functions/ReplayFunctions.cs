using Libromi.Gateway.Hosting;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Replays;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Libromi.Gateway.Functions;

/// <summary>
/// Replay jobs: start or count (admin key), follow (admin key), and the queue trigger that works one page per
/// <c>replay-jobs</c> message, so no invocation runs long. Each hands over to the core the standalone host uses.
/// </summary>
public sealed class ReplayFunctions(ReplayJobRunner runner, TimeProvider timeProvider)
{
    [Function("ReplaysStart")]
    public Task<IActionResult> StartAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "replays")] HttpRequest request, CancellationToken cancellationToken) =>
        ReplaysApi.StartAsync(request, runner, timeProvider, cancellationToken).WriteAsync(request);

    [Function("Replay")]
    public Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "replays/{id}")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        ReplaysApi.GetAsync(id, runner, cancellationToken).WriteAsync(request);

    [Function("ReplayJobPage")]
    public Task RunPageAsync(
        [QueueTrigger(QueueNames.ReplayJobs, Connection = StorageServiceCollectionExtensions.StorageConnectionName)] string work, long dequeueCount, CancellationToken cancellationToken) =>
        runner.RunPageAsync(work, dequeueCount, cancellationToken);
}
