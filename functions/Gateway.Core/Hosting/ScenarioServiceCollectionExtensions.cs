using Azure.Data.Tables;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Processing;
using Libromi.Gateway.RateLimiting;
using Libromi.Gateway.Scenarios;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Hosting;

public static class ScenarioServiceCollectionExtensions
{
    /// <summary>The fleet ledger's row for scenario calls, next to the contact calls' <see cref="FleetLedgerStore.RowKey"/>.</summary>
    public const string LedgerRowKey = "scenarios";

    /// <summary>
    /// Scenario definitions and limits (checked at start-up, so a typo fails the host rather than the first trigger),
    /// the scenario HTTP client, its own rate limiter and pause, and the intent rows.
    /// </summary>
    public static IServiceCollection AddGatewayScenarios(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ScenarioOptions>()
            .Bind(configuration.GetSection(ScenarioOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.Problem() is null, "Scenarios: invalid definition (a name, a Secret, a Delivery of at_most_once or at_least_once) or RequestsPerHour below RequestsPerMinute.")
            .ValidateOnStart();

        services.AddHttpClient<ScenarioClient>((provider, http) => http.Timeout = provider.GetRequiredService<IOptions<ScenarioOptions>>().Value.Timeout)
            // The default HttpClient loggers write the request URI, and a scenario's URI is its secret.
            .RemoveAllLoggers();

        services.TryAddSingleton(provider =>
        {
            var clock = provider.GetRequiredKeyedService<TimeProvider>(GatewayClock.Key);
            var scenarios = provider.GetRequiredService<IOptions<ScenarioOptions>>().Value;
            var rateLimit = provider.GetRequiredService<IOptions<RateLimitOptions>>().Value;
            var processing = provider.GetRequiredService<IOptions<ProcessingOptions>>().Value;
            var loggers = provider.GetRequiredService<ILoggerFactory>();
            if (rateLimit.Scope == RateLimitScope.Instance)
            {
                var windows = new AccountWindows(
                    new SlidingWindowLogLimiter(scenarios.RequestsPerMinute, TimeSpan.FromMinutes(1) + LibromiRateLimiterFactory.WindowMargin, clock),
                    new SlidingWindowLogLimiter(scenarios.RequestsPerHour, TimeSpan.FromHours(1) + LibromiRateLimiterFactory.WindowMargin, clock));
                return new ScenarioGate(windows, new InstancePause(), processing.MaxPermitWait, clock, loggers.CreateLogger<ScenarioGate>());
            }
            var ledger = new FleetLedgerStore(
                provider.GetRequiredService<TableServiceClient>(), LedgerRowKey,
                () => new LedgerLimits(scenarios.RequestsPerMinute, scenarios.RequestsPerHour, rateLimit.LeaseValidity, rateLimit.RealtimeReservePercent),
                clock, loggers.CreateLogger<FleetLedgerStore>());
            var limiter = new FleetRateLimiter(ledger, rateLimit, clock, loggers.CreateLogger<FleetRateLimiter>());
            return new ScenarioGate(limiter, ledger, processing.MaxPermitWait, clock, loggers.CreateLogger<ScenarioGate>());
        });
        services.TryAddSingleton(provider => new ScenarioIntents(provider.GetRequiredService<TableServiceClient>(), provider.GetRequiredKeyedService<TimeProvider>(GatewayClock.Key)));
        services.TryAddSingleton<ScenarioSender>();
        return services;
    }
}
