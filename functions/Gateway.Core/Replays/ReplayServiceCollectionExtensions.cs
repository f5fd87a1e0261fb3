using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Libromi.Gateway.Replays;

public static class ReplayServiceCollectionExtensions
{
    /// <summary>Replay jobs for both hosts; the standalone host adds <see cref="ReplayWorkService"/>, the Functions app its queue trigger.</summary>
    public static IServiceCollection AddGatewayReplays(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReplayOptions>().Bind(configuration.GetSection(ReplayOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ReplayJobStore>();
        services.TryAddSingleton<ReplayWorkQueue>();
        services.TryAddSingleton<DeadLetterPageReplayer>();
        services.TryAddSingleton<DeliveryReplayer>();
        services.TryAddSingleton<ReplayJobRunner>();
        return services;
    }
}
