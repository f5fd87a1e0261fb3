using System.Globalization;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.DeadLetters;

/// <summary>Which dead letters a list or a bulk replay concerns: by source, reason class and time (all optional).</summary>
public sealed record DeadLetterFilter(string? Source = null, string? ReasonClass = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null)
{
    public static readonly IReadOnlySet<string> ReasonClasses = new HashSet<string>(StringComparer.Ordinal)
    {
        DeadLetterReasons.Rejected, DeadLetterReasons.Exhausted, DeadLetterReasons.Unreadable,
    };

    public bool IsEmpty => Source is null && ReasonClass is null && Since is null && Until is null;

    /// <summary>Reads <c>source</c>, <c>reason_class</c>, <c>since</c> and <c>until</c> (ISO 8601) from the query string.</summary>
    public static DeadLetterFilter Parse(IQueryCollection query, IDictionary<string, string[]> errors)
    {
        var source = NonEmpty(query["source"]);
        var reasonClass = NonEmpty(query["reason_class"]);
        if (reasonClass is not null && !ReasonClasses.Contains(reasonClass))
        {
            errors["reason_class"] = [$"Use one of: {string.Join(", ", ReasonClasses)}."];
        }
        var since = ParseTime(query, "since", errors);
        var until = ParseTime(query, "until", errors);
        if (since > until)
        {
            errors["since"] = ["'since' is after 'until'."];
        }
        return new DeadLetterFilter(source, reasonClass, since, until);
    }

    /// <summary>The OData filter: time bounds as key ranges (newest-first keys), the rest as properties.</summary>
    public string? ToODataFilter()
    {
        var clauses = new List<string>();
        if (Until is { } until)
        {
            clauses.Add(TableClient.CreateQueryFilter($"PartitionKey ge {DeadLetterKey.PartitionOf(until)} and RowKey ge {DeadLetterKey.RowKeyFloor(until)}"));
        }
        if (Since is { } since)
        {
            clauses.Add(TableClient.CreateQueryFilter($"PartitionKey le {DeadLetterKey.PartitionOf(since)} and RowKey le {DeadLetterKey.RowKeyCeiling(since)}"));
        }
        if (Source is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Source eq {Source}"));
        }
        if (ReasonClass is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"ReasonClass eq {ReasonClass}"));
        }
        return clauses.Count == 0 ? null : string.Join(" and ", clauses);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateTimeOffset? ParseTime(IQueryCollection query, string name, IDictionary<string, string[]> errors)
    {
        var text = NonEmpty(query[name]);
        if (text is null)
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }
        errors[name] = ["Use an ISO 8601 time, e.g. 2026-11-01T09:30:00Z."];
        return null;
    }
}
