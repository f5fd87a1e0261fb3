using Azure.Data.Tables;
using Libromi.Gateway.Configuration;
using Libromi.Gateway.Ingest.Hooks;
using Microsoft.Extensions.Azure;
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
    /// start), the <c>deliveries</c> table for deduplication, and <see cref="WebhookIngestor"/>.
    /// </summary>
    public static IServiceCollection AddGatewayHooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<HookOptions>().Bind(configuration.GetSection(HookOptions.SectionName))
            .Validate(o => o.DeduplicationWindow >= TimeSpan.FromMinutes(1) && o.DeduplicationWindow <= TimeSpan.FromDays(30),
                "Gateway:Hooks:DeduplicationWindow must be between 00:01:00 and 30.00:00:00.")
            .ValidateOnStart();

        services.AddGatewayTables(configuration);
        services.TryAddSingleton(provider => new HookIntegrations(
            HookIntegrations.ResolvePath(
                provider.GetRequiredService<IOptions<GatewayOptions>>().Value.IntegrationsFile,
                provider.GetService<IHostEnvironment>()?.ContentRootPath),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton<DeliveryDeduplicator>();
        services.TryAddSingleton<WebhookIngestor>();
        services.AddHostedService<HookIntegrationsLoader>();
        services.AddHostedService<DeliveriesTableInitializer>();
        return services;
    }

    /// <summary>
    /// A <see cref="TableServiceClient"/> from the <c>AzureWebJobsStorage</c> section: a connection string, or
    /// identity-based <c>__tableServiceUri</c> (or <c>__accountName</c>) with <c>__credential</c>/<c>__clientId</c>, the
    /// names the Functions runtime reads. These are mapped here because the table client's constructor calls its URI
    /// <c>endpoint</c>, which <c>AddAzureClients</c>' configuration binding would otherwise expect.
    /// </summary>
    public static IServiceCollection AddGatewayTables(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(TableServiceClient)))
        {
            return services;
        }
        var section = configuration.GetSection(GatewayServiceCollectionExtensions.StorageConnectionName);
        services.AddAzureClients(clients => clients
            .AddClient<TableServiceClient, TableClientOptions>((options, provider) =>
            {
                // Ingest must answer 503 quickly when storage is down rather than hold the sender.
                options.Retry.MaxRetries = 2;
                options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
                return CreateTableServiceClient(section, options, provider.GetRequiredService<AzureComponentFactory>());
            }));
        return services;
    }

    internal static TableServiceClient CreateTableServiceClient(IConfigurationSection section, TableClientOptions options, AzureComponentFactory components)
    {
        var connectionString = section.Value ?? section["connectionString"];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new TableServiceClient(connectionString, options);
        }
        var endpoint = section["tableServiceUri"] is { Length: > 0 } uri
            ? new Uri(uri)
            : section["accountName"] is { Length: > 0 } account
                ? new Uri($"https://{account}.table.core.windows.net")
                : throw new InvalidOperationException(
                    $"No table storage is configured: set {section.Path} to a connection string, or {section.Path}__tableServiceUri (or __accountName) for an identity-based connection.");
        return new TableServiceClient(endpoint, components.CreateTokenCredential(section), options);
    }
}
