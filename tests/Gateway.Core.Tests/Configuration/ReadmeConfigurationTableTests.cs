using System.Reflection;
using Libromi.Gateway.Configuration;
using Libromi.Gateway.Retention;

namespace Libromi.Gateway.Tests.Configuration;

/// <summary>The README's configuration table is the options' documentation: it must name every option the code binds.</summary>
public sealed class ReadmeConfigurationTableTests
{
    public static TheoryData<string> BoundSettings()
    {
        var data = new TheoryData<string>();
        var optionTypes = typeof(GatewayOptions).Assembly.GetTypes()
            .Where(t => t.IsClass && t.Name.EndsWith("Options", StringComparison.Ordinal)
                && t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true });
        foreach (var type in optionTypes)
        {
            var section = ((string)type.GetField("SectionName")!.GetRawConstantValue()!).Replace(":", "__", StringComparison.Ordinal);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
            {
                data.Add($"{section}__{property.Name}");
            }
        }
        // Read from a flat setting rather than its section, for the Functions timer trigger (RetentionOptions.Schedule).
        data.Add(RetentionOptions.ScheduleSetting);
        return data;
    }

    [Theory]
    [MemberData(nameof(BoundSettings))]
    public void Every_bound_option_is_documented_in_the_readme(string setting)
    {
        Assert.Contains($"`{setting}`", Readme.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void The_options_scan_finds_the_options_classes()
    {
        var settings = BoundSettings().Cast<object[]>().Select(row => (string)row[0]).ToList();

        Assert.Contains("Libromi__RequestsPerMinute", settings);
        Assert.Contains("KeyVault__VaultUri", settings);
        Assert.Contains("Gateway__Hooks__DeduplicationWindow", settings);
        Assert.Contains("Retention__FinishedImports", settings);
        Assert.Contains("RetentionSchedule", settings);
        Assert.DoesNotContain("Retention__Schedule", settings);
    }

    private static readonly Lazy<string> Readme = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var path = Path.Combine(directory.FullName, "README.md");
            if (File.Exists(path) && File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
            {
                return File.ReadAllText(path);
            }
        }
        throw new InvalidOperationException("README.md next to Gateway.sln was not found.");
    });
}
