using Azure.Data.Tables;
using Azure.Storage.Queues;
using Libromi.Gateway.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Libromi.Gateway.Tests.Hosting;

/// <summary>The gateway's storage clients read <c>AzureWebJobsStorage</c> the way the Functions runtime does.</summary>
public sealed class StorageRegistrationTests
{
    [Fact]
    public void Connection_string_configures_both_clients()
    {
        using var provider = ProviderFrom(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });

        Assert.Equal("devstoreaccount1", provider.GetRequiredService<TableServiceClient>().AccountName);
        Assert.Equal("devstoreaccount1", provider.GetRequiredService<QueueServiceClient>().AccountName);
    }

    [Fact]
    public void Identity_based_service_uris_are_used_as_the_endpoints()
    {
        using var provider = ProviderFrom(new()
        {
            ["AzureWebJobsStorage:queueServiceUri"] = "https://gatewaystore.queue.core.windows.net",
            ["AzureWebJobsStorage:tableServiceUri"] = "https://gatewaystore.table.core.windows.net",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        });

        Assert.Equal(new Uri("https://gatewaystore.queue.core.windows.net"), provider.GetRequiredService<QueueServiceClient>().Uri);
        Assert.Equal(new Uri("https://gatewaystore.table.core.windows.net"), provider.GetRequiredService<TableServiceClient>().Uri);
    }

    [Fact]
    public void Account_name_alone_addresses_the_public_endpoints()
    {
        using var provider = ProviderFrom(new() { ["AzureWebJobsStorage:accountName"] = "gatewaystore" });

        Assert.Equal(new Uri("https://gatewaystore.queue.core.windows.net"), provider.GetRequiredService<QueueServiceClient>().Uri);
        Assert.Equal(new Uri("https://gatewaystore.table.core.windows.net"), provider.GetRequiredService<TableServiceClient>().Uri);
    }

    [Fact]
    public void Missing_storage_configuration_fails_naming_the_setting()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => ProviderFrom([]));

        Assert.Contains("AzureWebJobsStorage", failure.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider ProviderFrom(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddGatewayStorage(configuration);
        return services.BuildServiceProvider();
    }
}
