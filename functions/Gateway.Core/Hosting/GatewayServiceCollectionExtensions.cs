using System.Threading.RateLimiting;
using Azure.Storage.Queues;
using Libromi.Gateway.Configuration;
using Libromi.Gateway.Health;
using Libromi.Gateway.Imports;
using Libromi.Gateway.Ingest;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Processing;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.RateLimiting;
using Libromi.Gateway.Secrets;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Hosting;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>The storage connection both hosts and the Functions triggers share (DESIGN.md).</summary>
    public const string StorageConnectionName = "AzureWebJobsStorage";

    /// <summary>Everything the gateway does, for both hosts. Hosts add only their triggers or listeners.</summary>
    public static IServiceCollection AddGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.SectionName))
            .Validate(o => o.MaxRequestBodyBytes is >= 1024 and <= 4 * 1024 * 1024, "Gateway:MaxRequestBodyBytes must be between 1 KB and 4 MB.")
            .ValidateOnStart();
        services.AddOptions<ProcessingOptions>().Bind(configuration.GetSection(ProcessingOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QueueListenerOptions>().Bind(configuration.GetSection(QueueListenerOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();

        services.AddGatewayStorage(configuration);
        services.AddLibromiClient(configuration);
        services.AddGatewaySecrets(configuration);
        services.AddGatewayImports(configuration);

        services.TryAddSingleton<RateLimiter>(provider => LibromiRateLimiterFactory.CreateInProcess(
            provider.GetRequiredService<IOptions<LibromiClientOptions>>().Value, provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<SendingState>();
        services.TryAddSingleton<DeliveryGate>();
        services.TryAddSingleton<OperationProcessor>();
        services.TryAddSingleton<OperationQueues>();
        services.TryAddSingleton<OperationIngestor>();
        services.TryAddSingleton<HealthReporter>();
        services.AddProblemDetails();
        return services;
    }

    /// <summary>
    /// Queue (and later table) clients from the <c>AzureWebJobsStorage</c> section: a connection string, or
    /// identity-based <c>__queueServiceUri</c> with <c>__credential</c>/<c>__clientId</c>, as the triggers read it.
    /// </summary>
    public static IServiceCollection AddGatewayStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(StorageConnectionName);
        if (section.Value is null && !section.GetChildren().Any())
        {
            throw new InvalidOperationException(
                $"No storage is configured: set {StorageConnectionName} to a connection string (UseDevelopmentStorage=true for Azurite) or to identity-based settings ({StorageConnectionName}__queueServiceUri).");
        }
        services.AddAzureClients(clients =>
        {
            clients.AddQueueServiceClient(section).ConfigureOptions(options =>
            {
                // The Functions queue extension decodes Base64 by default: both hosts write Base64.
                options.MessageEncoding = QueueMessageEncoding.Base64;
                // Ingest must answer 503 quickly when storage is down rather than hold the sender.
                options.Retry.MaxRetries = 2;
                options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
            });
        });
        return services;
    }
}
