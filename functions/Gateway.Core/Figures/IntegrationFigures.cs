
namespace Libromi.Gateway.Figures;

/// <summary>One integration's figures over the window: the sum of every instance's hourly rows in it.</summary>
public sealed record IntegrationFigures(
    string Integration,
    long Received,
    IReadOnlyDictionary<string, long> Refused,
    long RefusedTotal,
    long Delivered,
    long DeadLettered,
    LastError? LastError)
{
    /// <summary>
    /// Sums the rows of <paramref name="integration"/> whose hour is in the window starting at <paramref name="windowStart"/>
    /// (rows of other integrations or older hours are ignored); the last error is the latest any instance saw.
    /// </summary>
    public static IntegrationFigures Sum(string integration, IEnumerable<HourFigures> rows, DateTimeOffset windowStart)
    {
        long received = 0, delivered = 0, deadLettered = 0;
        var refused = new SortedDictionary<string, long>(StringComparer.Ordinal);
        LastError? last = null;
        foreach (var row in rows.Where(r => r.Integration == integration && r.Hour >= windowStart))
        {
            received += row.Received;
            delivered += row.Delivered;
            deadLettered += row.DeadLettered;
            foreach (var (reason, count) in row.Refused)
            {
                refused[reason] = refused.GetValueOrDefault(reason) + count;
            }
            if (row.LastErrorAt is { } at && row.LastError is { } reasonText && (last is null || at > last.At))
            {
                last = new LastError(at, reasonText);
            }
        }
        return new IntegrationFigures(integration, received, refused, refused.Values.Sum(), delivered, deadLettered, last);
    }
}

/// <summary>When the latest error happened, and its reason class (a delivery outcome or a dead-letter class, never data).</summary>
public sealed record LastError(
    DateTimeOffset At,
    string Reason);

/// <summary>The answer of <c>GET /api/integrations/figures</c>.</summary>
public sealed record FiguresReport(
    DateTimeOffset GeneratedAt,
    DateTimeOffset WindowStart,
    double FlushIntervalSeconds,
    IReadOnlyList<IntegrationFigures> Integrations);
