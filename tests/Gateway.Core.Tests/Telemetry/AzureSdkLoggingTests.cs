using Libromi.Gateway.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Libromi.Gateway.Tests.Telemetry;

public sealed class AzureSdkLoggingTests
{
    [Fact]
    public void The_sdks_warnings_about_expected_conflicts_are_dropped_and_its_errors_kept_by_default()
    {
        var logger = AzureCoreLogger(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" });

        Assert.False(logger.IsEnabled(LogLevel.Warning));
        Assert.True(logger.IsEnabled(LogLevel.Error));
    }

    [Theory]
    [InlineData("Logging:LogLevel:Azure.Core")]
    [InlineData("Logging:LogLevel:Azure")]
    public void A_level_the_operator_configures_for_the_sdk_wins(string key)
    {
        var logger = AzureCoreLogger(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information", [key] = "Warning" });

        Assert.True(logger.IsEnabled(LogLevel.Warning));
        Assert.False(logger.IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void Other_categories_keep_their_configured_level()
    {
        using var provider = Services(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" });

        Assert.True(provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(global::Libromi.Gateway.Processing.OperationPump).FullName!).IsEnabled(LogLevel.Warning));
    }

    private static ILogger AzureCoreLogger(Dictionary<string, string?> settings) =>
        Services(settings).GetRequiredService<ILoggerFactory>().CreateLogger(AzureSdkLogging.Category);

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddProvider(new FakeLoggerProvider()))
            .AddQuietAzureSdkResponses()
            .BuildServiceProvider();
    }
}
