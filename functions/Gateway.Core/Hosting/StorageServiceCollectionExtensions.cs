using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Libromi.Gateway.Hosting;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The storage connection both hosts and the Functions triggers share, under the name the Functions runtime reads.</summary>
    public const string StorageConnectionName = "AzureWebJobsStorage";

    /// <summary>
    /// Queue, table and blob clients (the blob holds who drains) from the <c>AzureWebJobsStorage</c> section, read the way the Functions runtime
    /// reads it: a connection string (<c>UseDevelopmentStorage=true</c> for Azurite), or identity-based
    /// <c>__queueServiceUri</c>/<c>__tableServiceUri</c>/<c>__blobServiceUri</c> (or <c>__accountName</c>) with <c>__credential</c> and
    /// <c>__clientId</c>. The names are mapped here because the SDK constructors call the URI <c>serviceUri</c>
    /// and <c>endpoint</c>, which <c>AddAzureClients</c>' own binding would expect instead.
    /// </summary>
    public static IServiceCollection AddGatewayStorage(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(QueueServiceClient)))
        {
            return services;
        }
        var section = configuration.GetSection(StorageConnectionName);
        if (section.Value is null && !section.GetChildren().Any())
        {
            throw new InvalidOperationException(
                $"No storage is configured: set {StorageConnectionName} to a connection string (UseDevelopmentStorage=true for Azurite) or to identity-based settings ({StorageConnectionName}__queueServiceUri, __tableServiceUri, __credential, __clientId).");
        }

        services.AddAzureClients(clients =>
        {
            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, provider) =>
            {
                // The Functions queue extension decodes Base64 by default: both hosts write Base64.
                options.MessageEncoding = QueueMessageEncoding.Base64;
                FailFast(options.Retry);
                return ConnectionString(section) is { } connectionString
                    ? new QueueServiceClient(connectionString, options)
                    : new QueueServiceClient(ServiceUri(section, "queue"), Credential(section, provider), options);
            });
            clients.AddClient<BlobServiceClient, BlobClientOptions>((options, provider) =>
            {
                FailFast(options.Retry);
                return ConnectionString(section) is { } connectionString
                    ? new BlobServiceClient(connectionString, options)
                    : new BlobServiceClient(ServiceUri(section, "blob"), Credential(section, provider), options);
            });
            clients.AddClient<TableServiceClient, TableClientOptions>((options, provider) =>
            {
                FailFast(options.Retry);
                return ConnectionString(section) is { } connectionString
                    ? new TableServiceClient(connectionString, options)
                    : new TableServiceClient(ServiceUri(section, "table"), Credential(section, provider), options);
            });
        });
        return services;
    }

    // Ingest must answer 503 quickly when storage is down rather than hold the sender for a minute.
    private static void FailFast(RetryOptions retry)
    {
        retry.MaxRetries = 2;
        retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }

    private static string? ConnectionString(IConfigurationSection section) =>
        section.Value is { Length: > 0 } value ? value : section["connectionString"];

    internal static Uri ServiceUri(IConfigurationSection section, string service) =>
        section[$"{service}ServiceUri"] is { Length: > 0 } uri
            ? new Uri(uri)
            : section["accountName"] is { Length: > 0 } account
                ? new Uri($"https://{account}.{service}.{section["endpointSuffix"] ?? "core.windows.net"}")
                : throw new InvalidOperationException(
                    $"No {service} storage is configured: set {section.Path} to a connection string, or {section.Path}__{service}ServiceUri (or __accountName) for an identity-based connection.");

    private static TokenCredential Credential(IConfigurationSection section, IServiceProvider provider) =>
        provider.GetRequiredService<AzureComponentFactory>().CreateTokenCredential(section);
}
