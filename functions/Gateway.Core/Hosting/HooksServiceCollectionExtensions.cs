using Libromi.Gateway.Configuration;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Webhooks.DryRun;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Hosting;

public static class HooksServiceCollectionExtensions
{
    /// <summary>
    /// The webhook route's services: the integrations of <c>Gateway__IntegrationsFile</c> (loaded and validated at
    /// start), the <c>deliveries</c> table for deduplication, <see cref="WebhookIngestor"/>, and the dry run of
    /// <c>POST /api/integrations/{name}/test</c> (<see cref="IntegrationDryRunner"/>).
    /// </summary>
    public static IServiceCollection AddGatewayHooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<HookOptions>().Bind(configuration.GetSection(HookOptions.SectionName))
            .Validate(o => o.DeduplicationWindow >= TimeSpan.FromMinutes(1) && o.DeduplicationWindow <= TimeSpan.FromDays(30),
                "Gateway:Hooks:DeduplicationWindow must be between 00:01:00 and 30.00:00:00.")
            .Validate(o => o.MaxItemsPerDelivery is >= 1 and <= 1000, "Gateway:Hooks:MaxItemsPerDelivery must be between 1 and 1000.")
            .ValidateOnStart();

        services.TryAddSingleton(provider => new HookIntegrations(
            HookIntegrations.ResolvePath(
                provider.GetRequiredService<IOptions<GatewayOptions>>().Value.IntegrationsFile,
                provider.GetService<IHostEnvironment>()?.ContentRootPath),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton<DeliveryDeduplicator>();
        services.TryAddSingleton<WebhookIngestor>();
        services.TryAddSingleton<SampleContactReader>();
        services.TryAddSingleton<IntegrationDryRunner>();
        services.AddHostedService<HookIntegrationsLoader>();
        services.AddHostedService<DeliveriesTableInitializer>();
        return services;
    }
}
