using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Imports;

public static class ImportServiceCollectionExtensions
{
    /// <summary>
    /// Bulk imports: intake, progress in the <c>imports</c> table (with the index of running imports the status page
    /// lists), and the processor hook that records progress.
    /// </summary>
    public static IServiceCollection AddGatewayImports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ImportOptions>().Bind(configuration.GetSection(ImportOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        // The TableServiceClient comes from AddGatewayStorage (the AzureWebJobsStorage section, as the queues).

        services.TryAddSingleton<ImportTable>();
        services.TryAddSingleton<ImportIntake>();
        services.TryAddSingleton<ImportProgressReader>();
        services.TryAddSingleton<RunningImportIndex>();
        services.TryAddSingleton<RunningImports>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOperationObserver, ImportProgressRecorder>());
        return services;
    }
}
