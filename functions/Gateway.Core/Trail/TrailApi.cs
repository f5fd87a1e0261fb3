using System.Globalization;
using Libromi.Gateway.Http;
using Libromi.Gateway.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Libromi.Gateway.Trail;

/// <summary>
/// <c>/api/operations</c> and <c>/api/deliveries</c>: what became of one operation or delivery, and searches over a
/// time window. API-key routes, except a delivery's body, which only the admin key opens. Both hosts map these handlers.
/// </summary>
public static class TrailApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);
    /// <summary>The widest window one search reads: 31 days of hour partitions (744 range reads at most).</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(31);

    public static async Task<Results<JsonHttpResult<OperationView>, ProblemHttpResult, WithHeaderResult<ProblemHttpResult>>> GetOperationAsync(
        string id, OperationTrail trail, StorageDeadline storageDeadline, CancellationToken cancellationToken)
    {
        if (!TrailKey.TryParse(id, out var key))
        {
            return OperationNotFound(id);
        }
        var (read, view) = await ReadAsync(storageDeadline, cancellationToken, token => trail.GetAsync(key.Value, token)).ConfigureAwait(false);
        if (!read)
        {
            return TrailUnavailable();
        }
        return view is null ? OperationNotFound(id) : TypedResults.Json(view);
    }

    public static async Task<Results<JsonHttpResult<OperationPage>, ValidationProblem, WithHeaderResult<ProblemHttpResult>>> SearchOperationsAsync(
        HttpRequest request, OperationTrail trail, DeliveryLog deliveries, StorageDeadline storageDeadline, CancellationToken cancellationToken)
    {
        var query = request.Query;
        var errors = new Dictionary<string, string[]>();
        var (since, until) = ParseWindow(query, deliveries.Now, errors);
        var limit = ParseLimit(query, errors);
        var cursor = ParseCursor(query, errors);
        var phone = Text(query, "phone_number");
        if (phone is not null)
        {
            phone = phone.TrimStart('+');
            if (phone.Length is < 6 or > 15 || !phone.All(char.IsAsciiDigit))
            {
                errors["phone_number"] = ["Give the number in international format, digits only or with a leading +, as the gateway stored it (6 to 15 digits)."];
            }
        }
        var integration = Text(query, "integration");
        var import = Text(query, "import_id");
        if (integration is not null && import is not null)
        {
            errors["integration"] = ["Give integration or import_id, not both: an operation comes from one source."];
        }
        var source = integration is not null ? OperationSource.HookPrefix + integration : import is not null ? OperationSource.ImportPrefix + import : null;
        if (Text(query, "source") is { } raw)
        {
            source ??= raw;
        }
        var state = Text(query, "state");
        if (state is not null && !OperationStates.All.Contains(state))
        {
            errors["state"] = [$"Use one of: {string.Join(", ", OperationStates.All)}."];
        }
        var operationId = Text(query, "operation_id");
        if (operationId is not null && !TrailKey.TryParse(operationId, out _))
        {
            errors["operation_id"] = ["An operation id is the 32 hex digits the gateway answered with."];
        }
        var deliveryId = Text(query, "delivery_id");
        if (deliveryId is not null && !TrailKey.TryParse(deliveryId, out _))
        {
            errors["delivery_id"] = ["A delivery id is the 32 hex digits of the hook answer's x-delivery-id header."];
        }
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var search = new OperationQuery(since, until, limit, phone, source, state, cursor);
        var (read, page) = await ReadAsync(storageDeadline, cancellationToken, async token =>
        {
            // An operation id or a delivery id names its rows: read them, then apply the other filters.
            if (operationId is not null || deliveryId is not null)
            {
                var ids = operationId is not null ? [operationId]
                    : await deliveries.GetAsync(TrailKey.TryParse(deliveryId, out var d) ? d.Value : default, false, token).ConfigureAwait(false) is { } delivery
                        ? delivery.OperationIds
                        : [];
                var found = new List<OperationView>();
                foreach (var id in ids.Take(limit))
                {
                    if (TrailKey.TryParse(id, out var key) && await trail.GetAsync(key.Value, token).ConfigureAwait(false) is { } view && search.Matches(view))
                    {
                        found.Add(view with { Calls = null });
                    }
                }
                return new OperationPage(found, null);
            }
            return await trail.SearchAsync(search, token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return read ? TypedResults.Json(page!) : TrailUnavailable();
    }

    public static Task<Results<JsonHttpResult<DeliveryView>, ProblemHttpResult, WithHeaderResult<ProblemHttpResult>>> GetDeliveryAsync(string id, DeliveryLog deliveries, StorageDeadline storageDeadline, CancellationToken cancellationToken) =>
        GetDeliveryAsync(id, withBody: false, deliveries, storageDeadline, cancellationToken);

    /// <summary>The delivery with its raw body: the admin key only, since a body can hold what its sender would not show everyone.</summary>
    public static Task<Results<JsonHttpResult<DeliveryView>, ProblemHttpResult, WithHeaderResult<ProblemHttpResult>>> GetDeliveryBodyAsync(string id, DeliveryLog deliveries, StorageDeadline storageDeadline, CancellationToken cancellationToken) =>
        GetDeliveryAsync(id, withBody: true, deliveries, storageDeadline, cancellationToken);

    public static async Task<Results<JsonHttpResult<DeliveryPage>, ValidationProblem, WithHeaderResult<ProblemHttpResult>>> SearchDeliveriesAsync(HttpRequest request, DeliveryLog deliveries, StorageDeadline storageDeadline, CancellationToken cancellationToken)
    {
        var query = request.Query;
        var errors = new Dictionary<string, string[]>();
        var (since, until) = ParseWindow(query, deliveries.Now, errors);
        var limit = ParseLimit(query, errors);
        var cursor = ParseCursor(query, errors);
        bool? duplicate = null;
        if (Text(query, "duplicate") is { } flag)
        {
            if (bool.TryParse(flag, out var value))
            {
                duplicate = value;
            }
            else
            {
                errors["duplicate"] = ["Use true or false."];
            }
        }
        var outcome = Text(query, "outcome");
        if (outcome is not null && !DeliveryOutcomes.All.Contains(outcome))
        {
            errors["outcome"] = [$"Use one of: {string.Join(", ", DeliveryOutcomes.All)}."];
        }
        var deliveryId = Text(query, "delivery_id");
        TrailKey? deliveryKey = null;
        if (deliveryId is not null && !TrailKey.TryParse(deliveryId, out deliveryKey))
        {
            errors["delivery_id"] = ["A delivery id is the 32 hex digits of the hook answer's x-delivery-id header."];
        }
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var integration = Text(query, "integration");
        var (read, page) = await ReadAsync(storageDeadline, cancellationToken, async token =>
        {
            if (deliveryKey is { } key)
            {
                var one = await deliveries.GetAsync(key, false, token).ConfigureAwait(false);
                return new DeliveryPage(one is null || (integration is not null && one.Integration != integration) ? [] : [one], null);
            }
            return await deliveries.SearchAsync(new DeliveryQuery(since, until, limit, integration, outcome, duplicate, cursor), token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return read ? TypedResults.Json(page!) : TrailUnavailable();
    }

    /// <summary>
    /// One delivery with its body, read as <c>GET /api/deliveries/{id}/body</c> reads it, for another admin route (the
    /// dry run of <c>POST /api/integrations/{name}/test</c>): the delivery, else the answer to give instead, the 404
    /// problem of an unknown delivery (<c>NotFound</c>) or the 503 problem with Retry-After when storage fails
    /// (<c>Unavailable</c>). Two typed fields rather than one, so the caller's own typed result can take either.
    /// </summary>
    public static async Task<(DeliveryView? Delivery, ProblemHttpResult? NotFound, WithHeaderResult<ProblemHttpResult>? Unavailable)> ReadDeliveryWithBodyAsync(
        TrailKey key, DeliveryLog deliveries, StorageDeadline storageDeadline, CancellationToken cancellationToken)
    {
        var (read, delivery) = await ReadAsync(storageDeadline, cancellationToken, token => deliveries.GetAsync(key, withBody: true, token)).ConfigureAwait(false);
        if (!read)
        {
            return (null, null, TrailUnavailable());
        }
        return delivery is null ? (null, DeliveryNotFound(key.Id), null) : (delivery, null, null);
    }

    private static async Task<Results<JsonHttpResult<DeliveryView>, ProblemHttpResult, WithHeaderResult<ProblemHttpResult>>> GetDeliveryAsync(
        string id, bool withBody, DeliveryLog deliveries, StorageDeadline storageDeadline, CancellationToken cancellationToken)
    {
        if (!TrailKey.TryParse(id, out var key))
        {
            return DeliveryNotFound(id);
        }
        var (read, view) = await ReadAsync(storageDeadline, cancellationToken, token => deliveries.GetAsync(key.Value, withBody, token)).ConfigureAwait(false);
        if (!read)
        {
            return TrailUnavailable();
        }
        return view is null ? DeliveryNotFound(id) : TypedResults.Json(view);
    }

    /// <summary>
    /// Runs one trail read under the storage deadline. <c>Read</c> is false when storage failed or ran out of time (the
    /// caller answers <see cref="TrailUnavailable"/>); otherwise <c>Value</c> is what the read returned, null for none.
    /// </summary>
    private static async Task<(bool Read, T? Value)> ReadAsync<T>(StorageDeadline storageDeadline, CancellationToken cancellationToken, Func<CancellationToken, Task<T?>> read)
        where T : class
    {
        try
        {
            using var deadline = storageDeadline.Start(cancellationToken);
            return (true, await read(deadline.Token).ConfigureAwait(false));
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            return (false, null);
        }
    }

    private static WithHeaderResult<ProblemHttpResult> TrailUnavailable() =>
        Problems.WithRetryAfter(Problems.Problem(StatusCodes.Status503ServiceUnavailable, "storage-unavailable", "Storage unavailable",
            "The trail could not be read in time. Retry later."), 30);

    private static ProblemHttpResult OperationNotFound(string id) =>
        Problems.NotFound($"No operation '{Problems.Sanitize(id)}' in the trail (unknown, older than the trail's retention, or an import row not yet processed).");

    private static ProblemHttpResult DeliveryNotFound(string id) =>
        Problems.NotFound($"No delivery '{Problems.Sanitize(id)}' in the delivery log (unknown, or older than its retention).");

    private static string? Text(IQueryCollection query, string name) => query[name].ToString() is { Length: > 0 } value ? value : null;

    private static (DateTimeOffset Since, DateTimeOffset Until) ParseWindow(IQueryCollection query, DateTimeOffset now, IDictionary<string, string[]> errors)
    {
        var until = ParseTime(query, "until", errors) ?? now;
        var since = ParseTime(query, "since", errors) ?? until - DefaultWindow;
        if (since > until)
        {
            errors["since"] = ["since must not be after until."];
        }
        else if (until - since > MaxWindow)
        {
            errors["since"] = [$"A search covers at most {MaxWindow.TotalDays} days; narrow since and until."];
        }
        return (since, until);
    }

    private static DateTimeOffset? ParseTime(IQueryCollection query, string name, IDictionary<string, string[]> errors)
    {
        if (Text(query, name) is not { } text)
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }
        errors[name] = ["Use an ISO 8601 time such as 2026-12-03T10:32:00Z."];
        return null;
    }

    private static int ParseLimit(IQueryCollection query, IDictionary<string, string[]> errors)
    {
        if (Text(query, "limit") is not { } text)
        {
            return DefaultPageSize;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= MaxPageSize)
        {
            return limit;
        }
        errors["limit"] = [$"Use a whole number from 1 to {MaxPageSize}."];
        return DefaultPageSize;
    }

    private static TrailCursor? ParseCursor(IQueryCollection query, IDictionary<string, string[]> errors)
    {
        if (Text(query, "cursor") is not { } text)
        {
            return null;
        }
        if (TrailCursor.TryDecode(text, out var cursor))
        {
            return cursor;
        }
        errors["cursor"] = ["Pass the next_cursor of a previous page unchanged."];
        return null;
    }
}

/// <summary>How the hook route answered a delivery, as the delivery log names it.</summary>
public static class DeliveryOutcomes
{
    public const string Accepted = "accepted";
    public const string Duplicate = "duplicate";
    public const string Unverified = "unverified";
    public const string SecretUnavailable = "secret_unavailable";
    public const string Malformed = "malformed";
    public const string Invalid = "invalid";
    public const string TooManyItems = "too_many_items";
    public const string TooLarge = "too_large";
    public const string StorageUnavailable = "storage_unavailable";

    public static readonly IReadOnlyList<string> All = [Accepted, Duplicate, Unverified, SecretUnavailable, Malformed, Invalid, TooManyItems, TooLarge, StorageUnavailable];
}
