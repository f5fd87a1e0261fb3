using Azure;
using Azure.Data.Tables;
using Libromi.Gateway.DeadLetters;

namespace Libromi.Gateway.Replays;

/// <summary>
/// Replay jobs in the Azure Table <c>replays</c> (PartitionKey <c>job</c>, RowKey the job id): the request, the state,
/// the counts and the checkpoint cursor. Every update is conditional on the row's ETag, so two workers handed the same
/// page cannot both record it.
/// </summary>
public sealed class ReplayJobStore(TableServiceClient tables)
{
    public const string TableName = "replays";
    private const string Partition = "job";

    private readonly TableClient _table = tables.GetTableClient(TableName);

    public Task EnsureCreatedAsync(CancellationToken cancellationToken = default) => _table.CreateIfNotExistsAsync(cancellationToken);

    public async Task AddAsync(ReplayJob job, CancellationToken cancellationToken = default)
    {
        try
        {
            await _table.AddEntityAsync(ToEntity(job), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // Storage was down when the host started, so the table was never created: create it now.
            await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            await _table.AddEntityAsync(ToEntity(job), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The job with the ETag an update must match, or null when there is no such job.</summary>
    public async Task<(ReplayJob Job, ETag ETag)?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.HasValue ? (FromEntity(response.Value!), response.Value!.ETag) : null;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    /// <summary>False when someone else updated the job since <paramref name="etag"/> was read.</summary>
    public async Task<bool> TryUpdateAsync(ReplayJob job, ETag etag, CancellationToken cancellationToken = default)
    {
        try
        {
            await _table.UpdateEntityAsync(ToEntity(job), etag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status == 412)
        {
            return false;
        }
    }

    private static TableEntity ToEntity(ReplayJob job)
    {
        var request = job.Request;
        return new TableEntity(Partition, job.Id)
        {
            ["Source"] = request.SourceName,
            ["DeadLetterSource"] = request.DeadLetters?.Source,
            ["ReasonClass"] = request.DeadLetters?.ReasonClass,
            ["Integration"] = request.Deliveries?.Integration,
            ["Outcome"] = request.Deliveries?.Outcome,
            ["DeliveryId"] = request.Deliveries?.DeliveryId,
            ["Since"] = request.DeadLetters?.Since ?? request.Deliveries?.Since,
            ["Until"] = request.DeadLetters?.Until ?? request.Deliveries?.Until,
            ["State"] = job.State,
            ["Page"] = job.Page,
            ["Cursor"] = job.Cursor,
            ["Matched"] = job.Matched,
            ["Replayed"] = job.Replayed,
            ["Skipped"] = ReplayJob.FormatCounts(job.Skipped),
            ["Failed"] = ReplayJob.FormatCounts(job.Failed),
            ["CreatedAt"] = job.CreatedAt,
            ["StartedAt"] = job.StartedAt,
            ["FinishedAt"] = job.FinishedAt,
            ["Error"] = job.Error,
        };
    }

    private static ReplayJob FromEntity(TableEntity row)
    {
        var since = row.GetDateTimeOffset("Since");
        var until = row.GetDateTimeOffset("Until");
        var request = row.GetString("Source") == ReplayRequest.DeadLettersName
            ? new ReplayRequest(ReplaySource.DeadLetters, new DeadLetterFilter(row.GetString("DeadLetterSource"), row.GetString("ReasonClass"), since, until), null, false)
            : new ReplayRequest(ReplaySource.Deliveries, null, new DeliveryReplayFilter(row.GetString("Integration") ?? "", row.GetString("Outcome"),
                since ?? DateTimeOffset.MinValue, until ?? DateTimeOffset.MinValue, row.GetString("DeliveryId")), false);
        return new ReplayJob(
            row.RowKey,
            request,
            row.GetString("State") ?? ReplayStates.Queued,
            row.GetInt32("Page") ?? 0,
            row.GetString("Cursor"),
            row.GetInt32("Matched") ?? 0,
            row.GetInt32("Replayed") ?? 0,
            ReplayJob.ParseCounts(row.GetString("Skipped")),
            ReplayJob.ParseCounts(row.GetString("Failed")),
            row.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
            row.GetDateTimeOffset("StartedAt"),
            row.GetDateTimeOffset("FinishedAt"),
            row.GetString("Error"));
    }
}
