using Libromi.Gateway.Retention;
using Microsoft.Azure.Functions.Worker;

namespace Libromi.Gateway.Functions;

/// <summary>
/// Timer trigger of the retention sweep, on the app setting <c>RetentionSchedule</c> (the template sets it; the host
/// will not load this function without it). The timer runs on one instance at a time; the core sweep does the work.
/// </summary>
public sealed class RetentionFunctions(RetentionSweeper sweeper)
{
    [Function("RetentionSweep")]
    public Task SweepAsync([TimerTrigger(RetentionOptions.ScheduleExpression)] TimerInfo timer, CancellationToken cancellationToken) =>
        sweeper.SweepAsync(cancellationToken);
}
