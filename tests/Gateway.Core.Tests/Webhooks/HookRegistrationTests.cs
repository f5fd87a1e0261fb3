using Libromi.Gateway.Hosting;
using Libromi.Gateway.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Tests.Webhooks;

/// <summary>How the hook route finds its integrations file and its settings.</summary>
public sealed class HookRegistrationTests
{
    [Fact]
    public void Relative_integrations_path_resolves_against_the_content_root()
    {
        var root = Path.Combine(Path.GetTempPath(), "app");

        Assert.Equal(Path.Combine(root, "config", "integrations.json"), HookIntegrations.ResolvePath("config/integrations.json", root));
    }

    [Fact]
    public void Relative_integrations_path_without_a_content_root_resolves_against_the_app_folder()
    {
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "integrations.json"), HookIntegrations.ResolvePath("integrations.json", null));
    }

    [Fact]
    public void Absolute_integrations_path_is_kept_and_a_blank_one_means_no_file()
    {
        var absolute = Path.Combine(Path.GetTempPath(), "integrations.json");

        Assert.Equal(absolute, HookIntegrations.ResolvePath(absolute, "/somewhere/else"));
        Assert.Null(HookIntegrations.ResolvePath("  ", "/somewhere"));
        Assert.Null(HookIntegrations.ResolvePath(null, "/somewhere"));
    }

    [Theory]
    [InlineData("00:00:30")]
    [InlineData("31.00:00:00")]
    public void Deduplication_window_outside_its_range_is_refused_naming_the_setting(string window)
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Gateway:Hooks:DeduplicationWindow"] = window,
        }).Build();
        services.AddLogging().AddGatewayHooks(configuration);
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<HookOptions>>().Value);

        Assert.Contains("Gateway:Hooks:DeduplicationWindow", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deduplication_window_defaults_to_a_day()
    {
        Assert.Equal(TimeSpan.FromHours(24), new HookOptions().DeduplicationWindow);
    }
}
