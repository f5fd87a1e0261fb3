using System.Globalization;
using System.Text.Json;
using Libromi.Gateway.DeadLetters;
using Libromi.Gateway.Trail;

namespace Libromi.Gateway.Replays;

/// <summary>What a replay job replays: dead letters, or logged webhook deliveries.</summary>
public enum ReplaySource
{
    DeadLetters,
    Deliveries,
}

/// <summary>Which logged deliveries of one integration a replay concerns; the window defaults to the last 24 hours.</summary>
public sealed record DeliveryReplayFilter(string Integration, string? Outcome, DateTimeOffset Since, DateTimeOffset Until, string? DeliveryId)
{
    public DeliveryQuery ToQuery(int limit, TrailCursor? cursor) => new(Since, Until, limit, Integration, Outcome, Duplicate: null, cursor);
}

/// <summary>
/// The body of <c>POST /api/replays</c>, read strictly: unknown fields, wrong types, bad times and an unconfirmed empty
/// filter are each named in the 400 answer, so a typo cannot widen a replay to everything.
/// </summary>
public sealed record ReplayRequest(ReplaySource Source, DeadLetterFilter? DeadLetters, DeliveryReplayFilter? Deliveries, bool DryRun)
{
    public const string DeadLettersName = "dead_letters";
    public const string DeliveriesName = "deliveries";

    /// <summary>The longest delivery window one job covers: a year, the longest the trail is kept.</summary>
    public static readonly TimeSpan MaxDeliveryWindow = TimeSpan.FromDays(366);

    /// <summary>A window without <c>since</c> starts this long before its end, as <c>GET /api/deliveries</c> does.</summary>
    public static readonly TimeSpan DefaultDeliveryWindow = TimeSpan.FromHours(24);

    private static readonly string[] TopFields = ["source", "filter", "dry_run", "all"];
    private static readonly string[] DeadLetterFields = ["source", "reason_class", "since", "until"];
    private static readonly string[] DeliveryFields = ["integration", "outcome", "since", "until", "delivery_id"];

    public string SourceName => Source == ReplaySource.DeadLetters ? DeadLettersName : DeliveriesName;

    /// <summary>The request, or null with <paramref name="errors"/> naming every problem by its JSON path.</summary>
    public static ReplayRequest? Parse(ReadOnlySpan<byte> json, DateTimeOffset now, IDictionary<string, string[]> errors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            errors["body"] = ["Send a JSON object such as {\"source\": \"deliveries\", \"filter\": {\"integration\": \"shop\"}}."];
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors["body"] = ["The body is a JSON object."];
                return null;
            }
            RefuseUnknown(root, "", TopFields, errors);
            var dryRun = Flag(root, "dry_run", errors);
            var all = Flag(root, "all", errors);
            var filter = root.TryGetProperty("filter", out var f) ? f : default;
            if (filter.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.Object))
            {
                errors["filter"] = ["The filter is a JSON object."];
                return null;
            }
            if (filter.ValueKind == JsonValueKind.Null)
            {
                filter = default;
            }

            switch (Text(root, "source", "", errors))
            {
                case DeadLettersName:
                    var deadLetters = ParseDeadLetterFilter(filter, errors);
                    if (deadLetters.IsEmpty && !all && errors.Count == 0)
                    {
                        errors["all"] = ["Give a filter (source, reason_class, since, until) or \"all\": true to replay every dead letter."];
                    }
                    return errors.Count == 0 ? new ReplayRequest(ReplaySource.DeadLetters, deadLetters, null, dryRun) : null;
                case DeliveriesName:
                    var deliveries = ParseDeliveryFilter(filter, now, all, errors);
                    return errors.Count == 0 && deliveries is not null ? new ReplayRequest(ReplaySource.Deliveries, null, deliveries, dryRun) : null;
                case null when !errors.ContainsKey("source"):
                    errors["source"] = [$"Name what to replay: \"{DeadLettersName}\" or \"{DeliveriesName}\"."];
                    return null;
                case null:
                    return null;
                default:
                    errors["source"] = [$"Use \"{DeadLettersName}\" or \"{DeliveriesName}\"."];
                    return null;
            }
        }
    }

    private static DeadLetterFilter ParseDeadLetterFilter(JsonElement filter, IDictionary<string, string[]> errors)
    {
        if (filter.ValueKind == JsonValueKind.Undefined)
        {
            return new DeadLetterFilter();
        }
        RefuseUnknown(filter, "filter.", DeadLetterFields, errors);
        var reasonClass = Text(filter, "reason_class", "filter.", errors);
        if (reasonClass is not null && !DeadLetterFilter.ReasonClasses.Contains(reasonClass))
        {
            errors["filter.reason_class"] = [$"Use one of: {string.Join(", ", DeadLetterFilter.ReasonClasses)}."];
        }
        var since = Time(filter, "since", errors);
        var until = Time(filter, "until", errors);
        if (since > until)
        {
            errors["filter.since"] = ["'since' is after 'until'."];
        }
        return new DeadLetterFilter(Text(filter, "source", "filter.", errors), reasonClass, since, until);
    }

    private static DeliveryReplayFilter? ParseDeliveryFilter(JsonElement filter, DateTimeOffset now, bool all, IDictionary<string, string[]> errors)
    {
        if (filter.ValueKind == JsonValueKind.Undefined)
        {
            errors["filter.integration"] = ["Name the integration whose deliveries to replay."];
            return null;
        }
        RefuseUnknown(filter, "filter.", DeliveryFields, errors);
        var integration = Text(filter, "integration", "filter.", errors);
        if (integration is null && !errors.ContainsKey("filter.integration"))
        {
            errors["filter.integration"] = ["Name the integration whose deliveries to replay."];
        }
        var outcome = Text(filter, "outcome", "filter.", errors);
        if (outcome is not null && !DeliveryOutcomes.All.Contains(outcome))
        {
            errors["filter.outcome"] = [$"Use one of: {string.Join(", ", DeliveryOutcomes.All)}."];
        }
        var deliveryId = Text(filter, "delivery_id", "filter.", errors);
        TrailKey? deliveryKey = null;
        if (deliveryId is not null && !TrailKey.TryParse(deliveryId, out deliveryKey))
        {
            errors["filter.delivery_id"] = ["A delivery id is the 32 hex digits of the hook answer's x-delivery-id header."];
        }
        var givenSince = Time(filter, "since", errors);
        var givenUntil = Time(filter, "until", errors);
        // One delivery's window is the millisecond its id was made in.
        var until = deliveryKey is { } k ? k.At : givenUntil ?? now;
        var since = deliveryKey is { } d ? d.At : givenSince ?? until - DefaultDeliveryWindow;
        if (since > until)
        {
            errors["filter.since"] = ["'since' is after 'until'."];
        }
        else if (until - since > MaxDeliveryWindow)
        {
            errors["filter.since"] = [$"One replay covers at most {MaxDeliveryWindow.TotalDays} days; narrow since and until."];
        }
        if (outcome is null && givenSince is null && givenUntil is null && deliveryId is null && !all && !errors.ContainsKey("filter.integration"))
        {
            errors["all"] = ["Give a filter beside the integration (outcome, since, until, delivery_id) or \"all\": true to replay every delivery of the last 24 hours."];
        }
        return integration is null ? null : new DeliveryReplayFilter(integration, outcome, since, until, deliveryKey?.Id);
    }

    private static void RefuseUnknown(JsonElement obj, string prefix, string[] known, IDictionary<string, string[]> errors)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                errors[prefix + Shorten(property.Name)] = [$"Unknown field; use {string.Join(", ", known)}."];
            }
        }
    }

    private static string Shorten(string name) => name.Length <= 40 ? name : name[..40] + "…";

    private static string? Text(JsonElement obj, string name, string prefix, IDictionary<string, string[]> errors)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            errors[prefix + name] = ["Use a non-empty string."];
            return null;
        }
        return value.GetString()!.Trim();
    }

    private static bool Flag(JsonElement obj, string name, IDictionary<string, string[]> errors)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }
        errors[name] = ["Use true or false."];
        return false;
    }

    private static DateTimeOffset? Time(JsonElement filter, string name, IDictionary<string, string[]> errors)
    {
        if (Text(filter, name, "filter.", errors) is not { } text)
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }
        errors["filter." + name] = ["Use an ISO 8601 time such as 2026-12-03T10:32:00Z."];
        return null;
    }
}
