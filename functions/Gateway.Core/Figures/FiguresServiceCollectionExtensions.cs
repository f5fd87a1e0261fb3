using Libromi.Gateway.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Libromi.Gateway.Figures;

public static class FiguresServiceCollectionExtensions
{
    /// <summary>
    /// Per-integration figures: the in-memory tally (counted by the delivery log and the processor's observer), the
    /// flusher that writes it (a hosted service on both hosts) and the table the figures route reads.
    /// </summary>
    public static IServiceCollection AddGatewayFigures(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FiguresOptions>().Bind(configuration.GetSection(FiguresOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<FigureTally>();
        services.TryAddSingleton<FigureTable>();
        services.TryAddSingleton<FiguresFlusher>();
        services.AddHostedService(provider => provider.GetRequiredService<FiguresFlusher>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOperationObserver, FiguresObserver>());
        return services;
    }
}
