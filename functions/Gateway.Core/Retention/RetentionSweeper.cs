using Libromi.Gateway.Imports;
using Libromi.Gateway.Webhooks;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Retention;

/// <summary>
/// One retention sweep: expired webhook delivery identities, then finished imports, within
/// <see cref="RetentionOptions.MaxDeletesPerSweep"/> deletions. Deliveries may use half of them and imports everything
/// deliveries left, so a backlog in one table never stops the other from being swept. Idempotent, and safe on several
/// instances at once; both hosts call it on <see cref="RetentionOptions.Schedule"/>.
/// </summary>
public sealed partial class RetentionSweeper(
    TableServiceClient tables,
    ImportTable imports,
    IOptions<RetentionOptions> options,
    IOptions<HookOptions> hooks,
    [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider,
    ILogger<RetentionSweeper> logger)
{
    private readonly DeliveryRetention _deliveries = new(tables);
    private readonly ImportRetention _imports = new(imports);
    private readonly TrailRetention _trail = new(tables);
    private readonly FiguresRetention _figures = new(tables);
    private readonly ScenarioIntentRetention _scenarioIntents = new(tables);

    public async Task<RetentionSweepResult> SweepAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var now = timeProvider.GetUtcNow();

        var deliveryBudget = new DeleteBudget(settings.MaxDeletesPerSweep / 2);
        var deliveries = await _deliveries.SweepAsync(now, hooks.Value.DeduplicationWindow, deliveryBudget, cancellationToken).ConfigureAwait(false);
        var deliveryDeletions = settings.MaxDeletesPerSweep / 2 - deliveryBudget.Remaining;

        var importBudget = new DeleteBudget(settings.MaxDeletesPerSweep - deliveryDeletions);
        var (importsDeleted, importsUnfinished) = await _imports.SweepAsync(now, settings.FinishedImports, importBudget, cancellationToken).ConfigureAwait(false);
        var deletions = settings.MaxDeletesPerSweep - importBudget.Remaining;

        var scenarioIntents = await _scenarioIntents.SweepAsync(now, settings.ScenarioIntents, importBudget, cancellationToken).ConfigureAwait(false);

        // Trail days last: a day table is one deletion, whatever it holds.
        var trailDays = await _trail.SweepAsync(now, settings.Trail, importBudget, cancellationToken).ConfigureAwait(false);
        var figureRows = await _figures.SweepAsync(now, importBudget, cancellationToken).ConfigureAwait(false);
        deletions = settings.MaxDeletesPerSweep - importBudget.Remaining;

        var budgetSpent = deliveryBudget.IsSpent || importBudget.IsSpent;
        LogSwept(logger, deliveries, importsDeleted, importsUnfinished, trailDays, figureRows, scenarioIntents, deletions, settings.MaxDeletesPerSweep);
        return new RetentionSweepResult(deliveries, importsDeleted, importsUnfinished, deletions, budgetSpent, trailDays, figureRows, scenarioIntents);
    }

    [LoggerMessage(EventId = 9001, EventName = "RetentionSwept", Level = LogLevel.Information,
        Message = "Retention sweep deleted {Deliveries} expired delivery identities, {Imports} finished imports ({ImportsLeft} imports left to finish), {TrailDays} trail days, {FigureRows} hourly figure rows and {ScenarioIntents} scenario intent rows; {Deletions} of {Budget} deletions used")]
    private static partial void LogSwept(ILogger logger, int deliveries, int imports, int importsLeft, int trailDays, int figureRows, int scenarioIntents, int deletions, int budget);
}

/// <summary>What one sweep did.</summary>
/// <param name="ImportsUnfinished">Imports marked expired whose deletion the next sweep finishes.</param>
/// <param name="Deletions">Entities the sweep tried to delete (deleted, or left to a concurrent sweep), header rows and status-page entries (<see cref="Imports.RunningImportIndex"/>) included.</param>
/// <param name="BudgetSpent">The sweep stopped at its budget: more is waiting for the next one.</param>
/// <param name="TrailDaysDeleted">Trail day tables deleted (each one request, counted as one deletion).</param>
/// <param name="FigureRowsDeleted">Hourly figure rows deleted (<see cref="Figures.FigureTable"/>).</param>
/// <param name="ScenarioIntentsDeleted">Scenario intent rows deleted.</param>
public sealed record RetentionSweepResult(int DeliveriesDeleted, int ImportsDeleted, int ImportsUnfinished, int Deletions, bool BudgetSpent, int TrailDaysDeleted = 0, int FigureRowsDeleted = 0, int ScenarioIntentsDeleted = 0);
