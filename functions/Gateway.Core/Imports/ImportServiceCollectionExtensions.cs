using Azure.Data.Tables;
using Libromi.Gateway.Processing;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Libromi.Gateway.Imports;

public static class ImportServiceCollectionExtensions
{
    /// <summary>Bulk imports: intake, progress in the <c>imports</c> table, and the processor hook that records it.</summary>
    public static IServiceCollection AddGatewayImports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ImportOptions>().Bind(configuration.GetSection(ImportOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();

        // The same AzureWebJobsStorage section as the queues. Idempotent: another feature may register the table client too.
        if (!services.Any(d => d.ServiceType == typeof(IAzureClientFactory<TableServiceClient>)))
        {
            services.AddAzureClients(clients => clients.AddTableServiceClient(configuration.GetSection(Hosting.GatewayServiceCollectionExtensions.StorageConnectionName)));
        }

        services.TryAddSingleton<ImportTable>();
        services.TryAddSingleton<ImportIntake>();
        services.TryAddSingleton<ImportProgressReader>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOperationObserver, ImportProgressRecorder>());
        return services;
    }
}
