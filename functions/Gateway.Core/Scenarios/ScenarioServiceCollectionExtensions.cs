using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Libromi.Gateway.Scenarios;

public static class ScenarioServiceCollectionExtensions
{
    /// <summary>Scenario definitions and limits, checked at start-up so a typo fails the host, not the first trigger.</summary>
    public static IServiceCollection AddGatewayScenarios(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ScenarioOptions>()
            .Bind(configuration.GetSection(ScenarioOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.Problem() is null, "Scenarios: invalid definition (a name, a Secret, a Delivery of at_most_once or at_least_once) or RequestsPerHour below RequestsPerMinute.")
            .ValidateOnStart();
        return services;
    }
}
