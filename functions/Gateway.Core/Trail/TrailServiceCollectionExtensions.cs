using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Trail;

public static class TrailServiceCollectionExtensions
{
    /// <summary>
    /// The trail of operations and webhook deliveries: its options, the batching writer (a hosted service on both hosts),
    /// the processor's observer that records each outcome, and the stores the API reads.
    /// </summary>
    public static IServiceCollection AddGatewayTrail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TrailOptions>().Bind(configuration.GetSection(TrailOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<TrailWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<TrailWriter>());
        services.TryAddSingleton<OperationTrail>();
        services.TryAddSingleton<DeliveryLog>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOperationObserver, TrailRecorder>());
        return services;
    }
}
