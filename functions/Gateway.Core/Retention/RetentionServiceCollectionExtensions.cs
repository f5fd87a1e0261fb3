using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Libromi.Gateway.Retention;

public static class RetentionServiceCollectionExtensions
{
    /// <summary>
    /// The retention sweep and its options. Hosts schedule it: the Functions app with a timer trigger, the standalone
    /// host with <see cref="RetentionService"/>.
    /// </summary>
    public static IServiceCollection AddGatewayRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RetentionOptions>()
            .Bind(configuration.GetSection(RetentionOptions.SectionName))
            .Configure(o => o.Schedule = configuration[RetentionOptions.ScheduleSetting] is { Length: > 0 } schedule ? schedule : RetentionOptions.DefaultSchedule)
            .ValidateDataAnnotations()
            .Validate(o => RetentionSchedule.IsValid(o.Schedule),
                $"{RetentionOptions.ScheduleSetting} must be an NCRONTAB expression with seconds, such as \"{RetentionOptions.DefaultSchedule}\" (hourly).")
            .ValidateOnStart();
        services.TryAddSingleton<RetentionSweeper>();
        return services;
    }
}
