using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace Libromi.Gateway.Scenarios;

/// <summary>
/// Intent and outcome of every scenario step, in the <c>scenariointents</c> table (partition: operation id; row:
/// the step's ordinal). The intent is written before the POST and the outcome after it, so a redelivered message
/// can tell "sent" from "never sent" from "sent, answer unknown" (a crash in between): the last is what makes a
/// WhatsApp message go twice, and <see cref="ScenarioDelivery"/> decides what to do about it.
/// </summary>
public sealed class ScenarioIntents(TableServiceClient tables, TimeProvider timeProvider)
{
    public const string TableName = "scenariointents";
    internal const string OutcomeProperty = "Outcome";
    internal const string IntentAtProperty = "IntentAt";
    private const string Delivered = "delivered";
    private const string Failed = "failed";

    private readonly TableClient _table = tables.GetTableClient(TableName);

    public async Task<ScenarioIntentState> ReadAsync(string operationId, int ordinal, CancellationToken cancellationToken = default)
    {
        var found = await WithTableAsync(() => _table.GetEntityIfExistsAsync<TableEntity>(operationId, RowKey(ordinal), cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        if (!found.HasValue)
        {
            return ScenarioIntentState.None;
        }
        return found.Value!.GetString(OutcomeProperty) switch
        {
            Delivered => ScenarioIntentState.Delivered,
            Failed => ScenarioIntentState.Failed,
            _ => ScenarioIntentState.Pending,
        };
    }

    /// <summary>Written before the POST; replaces an earlier attempt's failed outcome.</summary>
    public Task RecordIntentAsync(string operationId, int ordinal, string scenario, CancellationToken cancellationToken = default) =>
        WithTableAsync(() => _table.UpsertEntityAsync(new TableEntity(operationId, RowKey(ordinal))
        {
            ["Scenario"] = scenario,
            [IntentAtProperty] = timeProvider.GetUtcNow(),
            [OutcomeProperty] = null,
        }, TableUpdateMode.Replace, cancellationToken), cancellationToken);

    /// <summary>Written after the POST: delivered, or failed (an answer or timeout that will be retried or dead-lettered).</summary>
    public Task RecordOutcomeAsync(string operationId, int ordinal, bool delivered, CancellationToken cancellationToken = default) =>
        WithTableAsync(() => _table.UpdateEntityAsync(new TableEntity(operationId, RowKey(ordinal))
        {
            [OutcomeProperty] = delivered ? Delivered : Failed,
            ["OutcomeAt"] = timeProvider.GetUtcNow(),
        }, ETag.All, TableUpdateMode.Merge, cancellationToken), cancellationToken);

    private static string RowKey(int ordinal) => ordinal.ToString("D3", CultureInfo.InvariantCulture);

    // The deployment creates the table; a fresh emulator or a table deleted by hand must not stop sending.
    private async Task<T> WithTableAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status == 404 && exception.ErrorCode == "TableNotFound")
        {
            await _table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            return await call().ConfigureAwait(false);
        }
    }
}

public enum ScenarioIntentState
{
    /// <summary>Never tried.</summary>
    None,
    /// <summary>POSTed (or about to be) with no outcome recorded: the process stopped in between.</summary>
    Pending,
    Delivered,
    /// <summary>Tried and answered with a failure (or timed out): safe to try again.</summary>
    Failed,
}
