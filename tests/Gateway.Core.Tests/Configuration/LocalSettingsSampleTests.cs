using System.Text.Json;

namespace Libromi.Gateway.Tests.Configuration;

/// <summary>local.settings.sample.json is what a Core Tools user copies: it must list every option with a safe value.</summary>
public sealed class LocalSettingsSampleTests
{
    // Drain__Backstop is the standalone host's timer; the Functions app has a timer trigger instead.
    public static TheoryData<string> FunctionsSettings() =>
        [.. ReadmeConfigurationTableTests.BoundSettings().Cast<object[]>().Select(row => (string)row[0]).Where(s => s != "Drain__Backstop")];

    [Theory]
    [MemberData(nameof(FunctionsSettings))]
    public void Every_bound_option_has_a_local_value_in_the_sample(string setting)
    {
        Assert.True(SampleValues.Value.ContainsKey(setting), $"local.settings.sample.json should list {setting}");
    }

    private static readonly Lazy<IReadOnlyDictionary<string, string>> SampleValues = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var path = Path.Combine(directory.FullName, "local.settings.sample.json");
            if (File.Exists(path))
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path));
                return document.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
            }
        }
        throw new InvalidOperationException("local.settings.sample.json was not found.");
    });
}
