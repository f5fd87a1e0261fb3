using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Libromi.Gateway.Health;
using Libromi.Gateway.Telemetry;

namespace Libromi.Gateway.Hosting;

public static class TelemetryServiceCollectionExtensions
{
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string ApplicationInsightsAuthenticationString = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>
    /// The gateway's meter and activity source, the sampler behind its gauges, and exporters: Azure Monitor
    /// when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (as the Bicep template does), else the one
    /// <c>Telemetry:Exporter</c> names; none by default, so a local run prints nothing extra.
    /// </summary>
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton<ThroughputWindow>();
        services.TryAddSingleton<GatewayTelemetry>();
        services.AddHostedService<TelemetrySampler>();

        var exporter = configuration[$"{TelemetryOptions.SectionName}:Exporter"] ?? "none";
        var azureMonitor = configuration[ApplicationInsightsConnectionString];
        if (string.IsNullOrEmpty(azureMonitor) && exporter == "none")
        {
            return services;
        }

        var credential = ManagedIdentityFrom(configuration[ApplicationInsightsAuthenticationString]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("libromi-gateway"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(GatewayTelemetry.Name, "System.Net.Http", "Microsoft.AspNetCore.Hosting");
                if (!string.IsNullOrEmpty(azureMonitor))
                {
                    metrics.AddAzureMonitorMetricExporter(options => Configure(options, azureMonitor, credential));
                }
                else if (exporter == "console")
                {
                    metrics.AddConsoleExporter();
                }
                else
                {
                    metrics.AddOtlpExporter();
                }
            })
            .WithTracing(tracing =>
            {
                // HttpClient and ASP.NET Core emit activities natively on .NET 10: the call to Libromi becomes a
                // child of the processing activity, which carries the operation's correlation id.
                tracing.AddSource(GatewayTelemetry.Name, "System.Net.Http", "Microsoft.AspNetCore");
                if (!string.IsNullOrEmpty(azureMonitor))
                {
                    tracing.AddAzureMonitorTraceExporter(options => Configure(options, azureMonitor, credential));
                }
                else if (exporter == "console")
                {
                    tracing.AddConsoleExporter();
                }
                else
                {
                    tracing.AddOtlpExporter();
                }
            });
        if (!string.IsNullOrEmpty(azureMonitor))
        {
            // Alert rules match log events by name (customDimensions.EventName), e.g. LibromiCircuitOpened.
            telemetry.WithLogging(logging => logging.AddAzureMonitorLogExporter(options => Configure(options, azureMonitor, credential)));
        }
        return services;
    }

    private static void Configure(AzureMonitorExporterOptions options, string connectionString, TokenCredential? credential)
    {
        options.ConnectionString = connectionString;
        if (credential is not null)
        {
            options.Credential = credential;
        }
    }

    /// <summary>"ClientId=...;Authorization=AAD" (the template's setting): send telemetry with that managed identity.</summary>
    internal static TokenCredential? ManagedIdentityFrom(string? authenticationString)
    {
        if (string.IsNullOrEmpty(authenticationString))
        {
            return null;
        }
        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !string.Equals(authorization, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
