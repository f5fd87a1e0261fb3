using System.Globalization;
using Libromi.Gateway.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Libromi.Gateway.Storage;

namespace Libromi.Gateway.DeadLetters;

/// <summary>
/// <c>/api/dead-letters</c>: list (paged, filtered), replay one, replay by filter (or all, with a dry run),
/// delete one. Admin routes: hosts guard them with the admin key and map these handlers unchanged.
/// </summary>
public static class DeadLettersApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int DefaultReplayLimit = 1000;
    public const int MaxReplayLimit = 5000;

    public static async Task<Results<JsonHttpResult<DeadLetterPage>, ValidationProblem, ProblemHttpResult>> ListAsync(
        HttpRequest request, DeadLetterStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = DeadLetterFilter.Parse(request.Query, errors);
        var limit = ParseLimit(request.Query, DefaultPageSize, MaxPageSize, errors);
        var cursor = request.Query["cursor"].ToString() is { Length: > 0 } c ? c : null;
        if (cursor is not null && !DeadLetterStore.IsValidCursor(cursor))
        {
            errors["cursor"] = ["Pass the next_cursor of a previous page unchanged."];
        }
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        try
        {
            var (entries, next) = await store.ListAsync(filter, limit, cursor, cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(new DeadLetterPage([.. entries.Select(DeadLetterItem.From)], next));
        }
        catch (Exception exception) when (IsStoreFault(exception))
        {
            return StoreUnavailable();
        }
    }

    public static async Task<Results<JsonHttpResult<ReplayedDeadLetter>, ProblemHttpResult>> ReplayOneAsync(
        string id, DeadLetterStore store, DeadLetterReplayer replayer, CancellationToken cancellationToken)
    {
        if (!DeadLetterKey.TryParse(id, out var key))
        {
            return NotFound(id);
        }
        try
        {
            if (await store.GetAsync(key.Value, cancellationToken).ConfigureAwait(false) is not { } entry)
            {
                return NotFound(id);
            }
            if (await replayer.ReplayAsync(entry, cancellationToken).ConfigureAwait(false) == ReplayResult.NotReplayable)
            {
                return Problems.Problem(StatusCodes.Status409Conflict, "not-replayable", "Not replayable",
                    $"Dead letter {key.Value.Id} is a message that could not be read, so there is no operation to replay; its raw text is in 'raw_message'. Delete it once handled.");
            }
            return TypedResults.Json(new ReplayedDeadLetter(key.Value.Id, entry.OperationId!, entry.Record.Envelope!.Lane.ToString().ToLowerInvariant()), statusCode: StatusCodes.Status202Accepted);
        }
        catch (Exception exception) when (IsStoreFault(exception))
        {
            return StoreUnavailable();
        }
    }

    /// <summary>
    /// Replays every dead letter matching the filter, newest first, up to <c>limit</c>. An empty filter must be
    /// confirmed with <c>all=true</c>, so a forgotten parameter cannot replay everything by accident.
    /// </summary>
    public static async Task<Results<JsonHttpResult<ReplayDryRun>, JsonHttpResult<ReplaySummary>, ValidationProblem, ProblemHttpResult>> ReplayManyAsync(
        HttpRequest request, DeadLetterStore store, DeadLetterReplayer replayer, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = DeadLetterFilter.Parse(request.Query, errors);
        var limit = ParseLimit(request.Query, DefaultReplayLimit, MaxReplayLimit, errors);
        var dryRun = ParseFlag(request.Query, "dry_run", errors);
        var all = ParseFlag(request.Query, "all", errors);
        if (filter.IsEmpty && !all && errors.Count == 0)
        {
            errors["all"] = ["Give a filter (source, reason_class, since, until) or all=true to replay every dead letter."];
        }
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        try
        {
            if (dryRun)
            {
                return TypedResults.Json(new ReplayDryRun(true, await store.CountAsync(filter, cancellationToken).ConfigureAwait(false)));
            }
            int replayed = 0, notReplayable = 0;
            var more = false;
            // Collect first, then replay: deleting rows while the query pages over them is not something to rely on.
            var batch = new List<DeadLetterEntry>();
            await foreach (var entry in store.ReadAllAsync(filter, cancellationToken).ConfigureAwait(false))
            {
                if (entry.Record.Envelope is null)
                {
                    notReplayable++;
                    continue;
                }
                if (batch.Count == limit)
                {
                    more = true;
                    break;
                }
                batch.Add(entry);
            }
            foreach (var entry in batch)
            {
                if (await replayer.ReplayAsync(entry, cancellationToken).ConfigureAwait(false) == ReplayResult.Replayed)
                {
                    replayed++;
                }
            }
            return TypedResults.Json(new ReplaySummary(replayed, notReplayable, more), statusCode: StatusCodes.Status202Accepted);
        }
        catch (Exception exception) when (IsStoreFault(exception))
        {
            return StoreUnavailable();
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, DeadLetterReplayer replayer, CancellationToken cancellationToken)
    {
        if (!DeadLetterKey.TryParse(id, out var key))
        {
            return NotFound(id);
        }
        try
        {
            return await replayer.DeleteAsync(key.Value, cancellationToken).ConfigureAwait(false) ? TypedResults.NoContent() : NotFound(id);
        }
        catch (Exception exception) when (IsStoreFault(exception))
        {
            return StoreUnavailable();
        }
    }

    // A cancelled request is the caller leaving, not the store failing: let it end the request rather than answer 503.
    private static bool IsStoreFault(Exception exception) =>
        StorageFaults.IsStorageFault(exception, CancellationToken.None) && exception is not OperationCanceledException;

    private static ProblemHttpResult StoreUnavailable() =>
        Problems.Problem(StatusCodes.Status503ServiceUnavailable, "storage-unavailable", "Storage unavailable",
            "The dead-letter store is unreachable; nothing was changed. Retry later.");

    private static ProblemHttpResult NotFound(string id) => Problems.NotFound($"No dead letter '{Problems.Sanitize(id)}' (it may have been replayed or deleted already).");

    private static int ParseLimit(IQueryCollection query, int defaultValue, int max, IDictionary<string, string[]> errors)
    {
        var text = query["limit"].ToString();
        if (text.Length == 0)
        {
            return defaultValue;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 && limit <= max)
        {
            return limit;
        }
        errors["limit"] = [$"Use a whole number from 1 to {max}."];
        return defaultValue;
    }

    private static bool ParseFlag(IQueryCollection query, string name, IDictionary<string, string[]> errors)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return false;
        }
        if (bool.TryParse(text, out var value))
        {
            return value;
        }
        errors[name] = ["Use true or false."];
        return false;
    }
}

public sealed record ReplayedDeadLetter(
    string Id,
    string OperationId,
    string Lane);

public sealed record ReplayDryRun(bool DryRun, int Matched);

public sealed record ReplaySummary(
    int Replayed,
    int NotReplayable,
    bool More);
