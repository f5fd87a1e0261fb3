using Libromi.Gateway.Libromi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.RateLimiting;

public static class RateLimitingServiceCollectionExtensions
{
    /// <summary>The account's limiter and pause: shared through the <c>ratelimit</c> table (default) or in memory for a single instance.</summary>
    public static IServiceCollection AddGatewayRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<FleetLedgerStore>();
        services.TryAddSingleton<ILeaseSource>(provider => provider.GetRequiredService<FleetLedgerStore>());
        services.TryAddSingleton<ISharedPause>(provider => IsFleet(provider)
            ? provider.GetRequiredService<FleetLedgerStore>()
            : new InstancePause());
        services.TryAddSingleton<LaneRateLimiter>(provider =>
        {
            var clock = provider.GetRequiredKeyedService<TimeProvider>(GatewayClock.Key);
            return IsFleet(provider)
                ? new FleetRateLimiter(provider.GetRequiredService<ILeaseSource>(), provider.GetRequiredService<IOptions<RateLimitOptions>>().Value, clock, provider.GetRequiredService<ILogger<FleetRateLimiter>>())
                : LibromiRateLimiterFactory.CreateInProcess(provider.GetRequiredService<IOptions<LibromiClientOptions>>().Value, clock);
        });
        return services;
    }

    private static bool IsFleet(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<RateLimitOptions>>().Value.Scope == RateLimitScope.Fleet;
}
