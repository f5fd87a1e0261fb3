using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.Telemetry;

/// <summary>
/// The Azure SDK logs every answer it treats as an error at Warning, headers included. The gateway provokes such
/// answers on purpose: a 412 when another instance wrote the rate ledger first, a 409 when a webhook delivery is a
/// duplicate, a 412 when retention finds a row changed. Logged as warnings they would bury real faults, which the
/// gateway logs itself (<c>QueueStorageFault</c>, <c>RateLedgerUnavailable</c>, 503s on ingest). So unless the
/// configuration names a level for <c>Azure.Core</c> (or <c>Azure</c>), only its errors are kept.
/// </summary>
public static class AzureSdkLogging
{
    public const string Category = "Azure.Core";

    public static IServiceCollection AddQuietAzureSdkResponses(this IServiceCollection services) =>
        services.PostConfigure<LoggerFilterOptions>(options =>
        {
            var configured = options.Rules.Any(rule => rule.CategoryName is "Azure" or Category);
            if (!configured)
            {
                options.Rules.Add(new LoggerFilterRule(providerName: null, categoryName: Category, logLevel: LogLevel.Error, filter: null));
            }
        });
}
