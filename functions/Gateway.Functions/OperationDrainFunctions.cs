using Libromi.Gateway.Hosting;
using Libromi.Gateway.Queueing;
using Microsoft.Azure.Functions.Worker;
using Libromi.Gateway.Processing;

namespace Libromi.Gateway.Functions;

/// <summary>
/// The drain's triggers: a wake message (written by ingest, or by a run that ended waiting for capacity) and a
/// 30-second timer, the backstop that brings back delayed work and what a killed instance held. Either one runs the
/// drain if no other instance holds it, and returns at once if one does: the operation queues themselves have no
/// trigger, so the scale controller never starts instances only to wait for permits.
/// </summary>
public sealed class OperationDrainFunctions(OperationDrain drain)
{
    [Function("DrainOnWake")]
    public Task DrainOnWakeAsync(
        [QueueTrigger(QueueNames.Wake, Connection = StorageServiceCollectionExtensions.StorageConnectionName)] string wake, CancellationToken cancellationToken) =>
        drain.RunAsync(cancellationToken);

    [Function("DrainOnSchedule")]
    public Task DrainOnScheduleAsync([TimerTrigger(DrainSchedule.Cron)] TimerInfo timer, CancellationToken cancellationToken) =>
        drain.RunAsync(cancellationToken);
}
