using Libromi.Gateway.Configuration;
using Libromi.Gateway.DeadLetters;
using Libromi.Gateway.Figures;
using Libromi.Gateway.Health;
using Libromi.Gateway.Http;
using Libromi.Gateway.Imports;
using Libromi.Gateway.Ingest;
using Libromi.Gateway.Processing;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.RateLimiting;
using Libromi.Gateway.Replays;
using Libromi.Gateway.Retention;
using Libromi.Gateway.Secrets;
using Libromi.Gateway.Status;
using Libromi.Gateway.Telemetry;
using Libromi.Gateway.Trail;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Storage;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Hosting;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>Everything the gateway does, for both hosts. Hosts add only their triggers or listeners.</summary>
    public static IServiceCollection AddGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(GatewayJson.Configure);
        services.TryAddKeyedSingleton(GatewayClock.Key, TimeProvider.System);
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.SectionName))
            .Validate(o => o.MaxRequestBodyBytes is >= 1024 and <= 4 * 1024 * 1024, "Gateway:MaxRequestBodyBytes must be between 1 KB and 4 MB.")
            .Validate(o => o.StorageTimeout >= TimeSpan.FromMilliseconds(100) && o.StorageTimeout <= TimeSpan.FromMinutes(1),
                "Gateway:StorageTimeout must be between 00:00:00.1 and 00:01:00 (senders give up after about 10 s).")
            .ValidateOnStart();
        services.AddOptions<ProcessingOptions>().Bind(configuration.GetSection(ProcessingOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOperationPumpOptions(configuration);
        services.AddOptions<DrainOptions>().Bind(configuration.GetSection(DrainOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();

        services.AddGatewayStorage(configuration);
        services.AddLibromiClient(configuration);
        services.AddGatewaySecrets(configuration);
        services.AddGatewayHooks(configuration);
        services.AddGatewayImports(configuration);
        services.AddGatewayRetention(configuration);
        services.AddGatewayTrail(configuration);
        services.AddGatewayFigures(configuration);
        services.AddGatewayScenarios(configuration);

        services.AddGatewayRateLimiting(configuration);
        services.TryAddSingleton<SendingState>();
        services.TryAddSingleton<DeliveryGate>();
        services.TryAddSingleton<OperationProcessor>();
        services.TryAddSingleton<OperationQueues>();
        services.TryAddSingleton<DrainWakeups>();
        services.TryAddSingleton<DrainLeadership>();
        services.TryAddSingleton<OperationPump>();
        services.TryAddSingleton<OperationDrain>();
        services.TryAddSingleton<StorageDeadline>();
        services.TryAddSingleton<OperationIngestor>();
        services.TryAddSingleton<GatewaySnapshotBuilder>();
        services.TryAddSingleton<HealthReporter>();
        services.TryAddSingleton<QueueInspector>();
        services.TryAddSingleton<DeadLetterStore>();
        services.TryAddSingleton<DeadLetterReplayer>();
        services.AddGatewayReplays(configuration);
        services.TryAddSingleton<StatusReporter>();
        services.AddHostedService<DeadLetterTableInitializer>();
        services.AddGatewayTelemetry(configuration);
        services.AddQuietAzureSdkResponses();
        services.AddProblemDetails();
        services.AddTransient<IStartupFilter, NoSniffStartupFilter>();
        return services;
    }

    /// <summary>The <c>Queues</c> section, with the message hold also read under its old key <c>Queues:MessageLease</c>.</summary>
    internal static IServiceCollection AddOperationPumpOptions(this IServiceCollection services, IConfiguration configuration)
    {
        var queues = configuration.GetSection(OperationPumpOptions.SectionName);
        var holdSetting = new MessageHoldSetting(queues);
        services.AddOptions<OperationPumpOptions>().Bind(queues).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(holdSetting);
        services.AddSingleton<IConfigureOptions<OperationPumpOptions>>(holdSetting);
        services.AddSingleton<IValidateOptions<OperationPumpOptions>>(holdSetting);
        services.AddHostedService<MessageHoldSettingWarning>();
        return services;
    }
}
