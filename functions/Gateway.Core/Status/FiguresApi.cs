using Libromi.Gateway.Figures;
using Libromi.Gateway.Http;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Status;

/// <summary>
/// <c>GET /api/integrations/figures</c> (API key): per configured integration, the last 24 h of received and refused
/// deliveries, delivered and dead-lettered operations and the last error. Reads the hourly counter rows (24 per
/// instance per integration), never the trail.
/// </summary>
public static class FiguresApi
{
    public static async Task<Results<JsonHttpResult<FiguresReport>, WithHeaderResult<ProblemHttpResult>>> GetAsync(
        HookIntegrations integrations, FigureTable table, IOptions<FiguresOptions> options, StorageDeadline storageDeadline,
        [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var windowStart = FigureHours.WindowStart(now);
        try
        {
            using var deadline = storageDeadline.Start(cancellationToken);
            var figures = new List<IntegrationFigures>();
            foreach (var name in integrations.Names.Order(StringComparer.Ordinal))
            {
                var rows = await table.ReadAsync(name, windowStart, deadline.Token).ConfigureAwait(false);
                figures.Add(IntegrationFigures.Sum(name, rows, windowStart));
            }
            return TypedResults.Json(new FiguresReport(now, windowStart, options.Value.FlushInterval.TotalSeconds, figures));
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            return Problems.WithRetryAfter(Problems.Problem(StatusCodes.Status503ServiceUnavailable, "storage-unavailable", "Storage unavailable",
                "The figures could not be read in time. Retry later."), 30);
        }
    }
}
