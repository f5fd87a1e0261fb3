using System.Text.Json.Serialization;
using Libromi.Gateway.Http;
using Libromi.Gateway.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Libromi.Gateway.Replays;

/// <summary>
/// <c>POST /api/replays</c> (start a replay job, or count with <c>dry_run</c>) and <c>GET /api/replays/{id}</c> (its
/// progress). Admin routes: hosts guard them with the admin key and map these handlers unchanged.
/// </summary>
public static class ReplaysApi
{
    /// <summary>A replay request is a small JSON object; anything larger is not one.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    public static async Task<Results<JsonHttpResult<ReplayDryRunView>, WithHeaderResult<JsonHttpResult<ReplayJobView>>, ValidationProblem, ProblemHttpResult, WithHeaderResult<ProblemHttpResult>>> StartAsync(
        HttpRequest request, ReplayJobRunner runner, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (!BoundedBodyReader.HasMediaType(request, "application/json"))
        {
            return Problems.UnsupportedMediaType(request.ContentType, "application/json");
        }
        var (body, tooLarge) = await BoundedBodyReader.ReadAsync(request, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (tooLarge is not null)
        {
            return tooLarge;
        }
        var errors = new Dictionary<string, string[]>();
        if (ReplayRequest.Parse(body, timeProvider.GetUtcNow(), errors) is not { } replay)
        {
            return Problems.Validation(errors, "The replay request has invalid fields; nothing was replayed.");
        }
        try
        {
            if (replay.DryRun)
            {
                return TypedResults.Json(ReplayDryRunView.From(replay, await runner.CountAsync(replay, cancellationToken).ConfigureAwait(false)));
            }
            var job = await runner.StartAsync(replay, cancellationToken).ConfigureAwait(false);
            var view = ReplayJobView.From(job);
            return Problems.WithHeader(TypedResults.Json(view, statusCode: StatusCodes.Status202Accepted), "Location", view.Links["self"]);
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            return Problems.StorageUnavailable();
        }
    }

    public static async Task<Results<JsonHttpResult<ReplayJobView>, ProblemHttpResult, WithHeaderResult<ProblemHttpResult>>> GetAsync(
        string id, ReplayJobRunner runner, CancellationToken cancellationToken)
    {
        if (!ReplayWork.IsJobId(id))
        {
            return NotFound(id);
        }
        try
        {
            var job = await runner.GetAsync(id, cancellationToken).ConfigureAwait(false);
            return job is null ? NotFound(id) : TypedResults.Json(ReplayJobView.From(job));
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            return Problems.StorageUnavailable();
        }
    }

    private static ProblemHttpResult NotFound(string id) => Problems.NotFound($"No replay job '{Problems.Sanitize(id)}'.");
}

/// <summary>The answer of a dry run: how many items match, how many a job would replay, and why the others would be skipped.</summary>
public sealed record ReplayDryRunView(
    bool DryRun,
    string Source,
    int Matched,
    int Replayable,
    IReadOnlyDictionary<string, int> NotReplayable)
{
    public static ReplayDryRunView From(ReplayRequest request, ReplayPageResult count) =>
        new(true, request.SourceName, count.Matched, count.Replayed, count.Skipped);
}

/// <summary>A replay job as <c>GET /api/replays/{id}</c> shows it.</summary>
public sealed record ReplayJobView(
    string Id,
    string Source,
    string State,
    int Matched,
    int Replayed,
    int Skipped,
    IReadOnlyDictionary<string, int> SkippedByReason,
    int Failed,
    IReadOnlyDictionary<string, int> FailedByReason,
    int Pages,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    IReadOnlyDictionary<string, string> Links)
{
    public static ReplayJobView From(ReplayJob job) => new(
        job.Id, job.Request.SourceName, job.State, job.Matched, job.Replayed, job.SkippedTotal, job.Skipped, job.FailedTotal, job.Failed, job.Page,
        job.CreatedAt, job.StartedAt, job.FinishedAt, job.Error, new Dictionary<string, string> { ["self"] = $"/api/replays/{job.Id}" });
}
