using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Trail;

/// <summary>
/// The rows that tell what became of each operation (<see cref="TrailKey"/> places them), and the reads over them.
/// Per operation: a summary row (kept up to date with merges), one row per Libromi call, and two index rows (by phone
/// number and by source) beside it in its partition. Every write of one operation is one entity group transaction.
/// </summary>
public sealed class OperationTrail(TableServiceClient tables)
{
    internal const string KindProperty = "Kind";
    internal const string OperationKind = "op";
    internal const string CallKind = "call";
    internal const string IndexKind = "index";
    internal const string DeliveryKind = "delivery";

    /// <summary>The rows of an operation as ingest stores it: "queued", where it came from, and its index rows.</summary>
    public static IEnumerable<TrailRow> QueuedRows(OperationEnvelope envelope, string? deliveryId)
    {
        if (!TrailKey.TryParse(envelope.OperationId, out var parsed))
        {
            yield break;
        }
        var key = parsed.Value;
        // What only ingest knows; the processor's rows carry the rest, and its state wins if it was recorded first.
        var known = new TableEntity(key.PartitionKey, key.OperationRow)
        {
            ["StepCount"] = envelope.Steps.Count,
            ["Steps"] = string.Join(",", envelope.Steps.Select(s => StepName(s.Kind))),
        };
        if (deliveryId is not null)
        {
            known["DeliveryId"] = deliveryId;
        }
        var summary = Summary(key, envelope);
        summary["State"] = OperationStates.Queued;
        foreach (var (name, value) in known)
        {
            if (name is not ("PartitionKey" or "RowKey" or "odata.etag" or "Timestamp"))
            {
                summary[name] = value;
            }
        }
        yield return new TrailRow(key.TableName, summary, TableUpdateMode.Merge, OnConflict: known);
        foreach (var index in IndexRows(key, envelope))
        {
            yield return index;
        }
    }

    /// <summary>
    /// The rows of one processing outcome: the summary's new state and the calls made. Index rows are written again
    /// (same partition, same request) so an operation whose "queued" row was lost is still found.
    /// </summary>
    public static IReadOnlyList<TrailRow> SettledRows(OperationEnvelope contact, Settlement settlement, string state, DateTimeOffset now, int maxAnswerChars, string? token)
    {
        if (!TrailKey.TryParse(contact.OperationId, out var parsed))
        {
            return [];
        }
        var key = parsed.Value;
        var summary = Summary(key, contact);
        summary["State"] = state;
        summary["StepsLeft"] = settlement.Kind is SettlementKind.Delivered or SettlementKind.Merged ? 0 : contact.Steps.Count;
        summary["UpdatedAt"] = now;
        summary["Attempts"] = contact.Attempt + (settlement.Calls.Count > 0 ? 1 : 0);
        if (settlement.NextAttemptAt is { } next)
        {
            summary["NextAttemptAt"] = next;
        }
        if (settlement.Reason is { } reason)
        {
            summary["Reason"] = reason.Length <= 2000 ? reason : reason[..2000] + "…";
        }
        if (settlement.MergedInto is { } into)
        {
            summary["MergedInto"] = into;
        }
        List<TrailRow> rows = [new(key.TableName, summary, TableUpdateMode.Merge), .. IndexRows(key, contact)];
        for (var index = 0; index < settlement.Calls.Count; index++)
        {
            var call = settlement.Calls[index];
            var row = new TableEntity(key.PartitionKey, key.CallRow(call.At, index))
            {
                [KindProperty] = CallKind,
                ["At"] = call.At,
                ["Step"] = StepName(call.Step),
                ["Attempt"] = call.Attempt,
                ["Outcome"] = call.Outcome,
                ["StatusCode"] = call.StatusCode,
                ["Answer"] = TrailRedaction.Answer(call.Answer, maxAnswerChars, token),
            };
            if (index == settlement.Calls.Count - 1 && settlement.NextAttemptAt is { } retryAt)
            {
                row["NextAttemptAt"] = retryAt;
            }
            rows.Add(new TrailRow(key.TableName, row));
        }
        return rows;
    }

    /// <summary>The summary's change when a dead letter is replayed: queued again.</summary>
    public static IReadOnlyList<TrailRow> ReplayedRows(OperationEnvelope envelope, DateTimeOffset now)
    {
        if (!TrailKey.TryParse(envelope.OperationId, out var parsed))
        {
            return [];
        }
        var summary = Summary(parsed.Value, envelope);
        summary["State"] = OperationStates.Queued;
        summary["StepsLeft"] = envelope.Steps.Count;
        summary["ReplayedAt"] = now;
        summary["UpdatedAt"] = now;
        return [new TrailRow(parsed.Value.TableName, summary, TableUpdateMode.Merge)];
    }

    /// <summary>The step count the operation was received with, or null when its summary row is not there.</summary>
    public async Task<int?> GetStepCountAsync(TrailKey key, CancellationToken cancellationToken)
    {
        try
        {
            var response = await tables.GetTableClient(key.TableName)
                .GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.OperationRow, ["StepCount"], cancellationToken).ConfigureAwait(false);
            return response.HasValue ? response.Value!.GetInt32("StepCount") : null;
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == TableErrorCode.TableNotFound)
        {
            return null;
        }
    }

    /// <summary>The operation's summary and calls (one range read of its partition), or null when the trail has no row for it.</summary>
    public async Task<OperationView?> GetAsync(TrailKey key, CancellationToken cancellationToken)
    {
        var table = tables.GetTableClient(key.TableName);
        var first = key.OperationRow;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {key.PartitionKey} and RowKey ge {first} and RowKey lt {first + "}"}");
        TableEntity? summary = null;
        var calls = new List<TableEntity>();
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (entity.RowKey == first)
                {
                    summary = entity;
                }
                else if (entity.GetString(KindProperty) == CallKind)
                {
                    calls.Add(entity);
                }
            }
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == TableErrorCode.TableNotFound)
        {
            return null;
        }
        return summary is null ? null : OperationView.From(summary, calls);
    }

    /// <summary>
    /// Operations matching <paramref name="query"/>, newest first, hour partition by hour partition from
    /// <see cref="OperationQuery.Until"/> back to <see cref="OperationQuery.Since"/>. A phone number or an integration is
    /// a range read of its index rows in each partition; otherwise the summaries are read, filtered by state on the service.
    /// </summary>
    public async Task<OperationPage> SearchAsync(OperationQuery query, CancellationToken cancellationToken)
    {
        var walk = new TrailHourWalk(query.Since, query.Until, query.Limit, query.Cursor, RowPrefix(query)) { Filter = ServiceFilter(query) };
        var (items, next) = await walk.ReadAsync(tables, async (entity, token) =>
        {
            var view = query.IsIndexRead
                ? await ReadIndexedAsync(entity, token).ConfigureAwait(false)
                : OperationView.From(entity, []);
            return view is not null && query.Matches(view) ? view : null;
        }, cancellationToken).ConfigureAwait(false);
        return new OperationPage(items, next?.Encode());
    }

    private async Task<OperationView?> ReadIndexedAsync(TableEntity index, CancellationToken cancellationToken)
    {
        if (index.GetString("OperationId") is not { } id || !TrailKey.TryParse(id, out var key))
        {
            return null;
        }
        try
        {
            var response = await tables.GetTableClient(key.Value.TableName)
                .GetEntityIfExistsAsync<TableEntity>(key.Value.PartitionKey, key.Value.OperationRow, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.HasValue ? OperationView.From(response.Value!, []) : null;
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == TableErrorCode.TableNotFound)
        {
            return null;
        }
    }

    /// <summary>The rows one hour partition is read in: index rows for a phone or source, else summaries.</summary>
    private static string RowPrefix(OperationQuery query) =>
        query.PhoneDigits is { } phone ? $"p{phone}|"
        : query.Source is { } source ? $"s{source}|"
        : "o";

    /// <summary>The search's filters the service applies: the kind of row, and the state of summaries.</summary>
    private static string ServiceFilter(OperationQuery query)
    {
        if (query.IsIndexRead)
        {
            return TableClient.CreateQueryFilter($"Kind eq {IndexKind}");
        }
        var filter = TableClient.CreateQueryFilter($"Kind eq {OperationKind}");
        if (query.State is { } state)
        {
            filter += " and " + TableClient.CreateQueryFilter($"State eq {state}");
        }
        return filter;
    }

    private static TableEntity Summary(TrailKey key, OperationEnvelope envelope)
    {
        var summary = new TableEntity(key.PartitionKey, key.OperationRow)
        {
            [KindProperty] = OperationKind,
            ["OperationId"] = envelope.OperationId,
            ["Source"] = envelope.Source,
            ["Lane"] = envelope.Lane == Lane.Bulk ? "bulk" : "realtime",
            ["Phone"] = envelope.PhoneNumber,
            ["ReceivedAt"] = envelope.ReceivedAt,
        };
        if (envelope.Import is { } position)
        {
            summary["ImportLine"] = position.Line;
        }
        return summary;
    }

    private static IEnumerable<TrailRow> IndexRows(TrailKey key, OperationEnvelope envelope)
    {
        yield return new TrailRow(key.TableName, new TableEntity(key.PartitionKey, key.PhoneIndexRow(envelope.PhoneNumber))
        {
            [KindProperty] = IndexKind,
            ["OperationId"] = envelope.OperationId,
        });
        yield return new TrailRow(key.TableName, new TableEntity(key.PartitionKey, key.SourceIndexRow(envelope.Source))
        {
            [KindProperty] = IndexKind,
            ["OperationId"] = envelope.OperationId,
        });
    }

    internal static string StepName(Operations.OperationKind kind) => kind switch
    {
        Operations.OperationKind.EnsureContact => "ensure_contact",
        Operations.OperationKind.UpdateAttributes => "update_attributes",
        Operations.OperationKind.AssignStaff => "assign_staff",
        Operations.OperationKind.TriggerScenario => "trigger_scenario",
        _ => kind.ToString(),
    };
}

/// <summary>The states an operation's trail shows.</summary>
public static class OperationStates
{
    public const string Queued = "queued";
    /// <summary>Tried and put back: <c>next_attempt_at</c> says when it goes again.</summary>
    public const string Sending = "sending";
    public const string Delivered = "delivered";
    /// <summary>Some steps reached Libromi, a later one was dead-lettered.</summary>
    public const string PartlyDelivered = "partly_delivered";
    public const string DeadLettered = "dead_lettered";
    /// <summary>Its attribute update went out inside another operation's call (<c>merged_into</c>).</summary>
    public const string Merged = "merged";

    public static readonly IReadOnlyList<string> All = [Queued, Sending, Delivered, PartlyDelivered, DeadLettered, Merged];
}
