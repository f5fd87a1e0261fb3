using System.Text.Json.Nodes;
using Libromi.Gateway.Infra.Tests.Bicep;

namespace Libromi.Gateway.Infra.Tests.Linting;

[Collection(CompiledInfraCollection.Name)]
public sealed class BicepLintTests(CompiledInfraFixture infra)
{
    // The analyzer rules issue 7 asks to enforce; each must be an error in infra/bicepconfig.json.
    public static readonly TheoryData<string> RequiredErrorRules =
    [
        "outputs-should-not-contain-secrets",
        "no-hardcoded-location",
        "no-hardcoded-env-urls",
        "secure-parameter-default",
        "use-recent-api-versions",
        "adminusername-should-not-be-literal",
        "use-secure-value-for-secure-inputs",
        "no-unused-params",
        "no-unused-vars",
        "explicit-values-for-loc-params",
    ];

    private static string BicepConfigPath => BuildInfo.InRepository("infra", "bicepconfig.json");

    [Fact]
    public void Main_template_lints_without_errors_or_warnings()
    {
        Assert.True(infra.Lint.Diagnostics.Count == 0, "bicep lint infra/main.bicep reported:\n" + string.Join('\n', infra.Lint.Diagnostics));
        Assert.Equal(0, infra.Lint.ExitCode);
    }

    [Fact]
    public async Task Every_bicep_file_in_infra_compiles_on_its_own_without_warnings()
    {
        var files = Directory.GetFiles(BuildInfo.InRepository("infra"), "*.bicep", SearchOption.AllDirectories);
        Assert.NotEmpty(files);

        var results = await Task.WhenAll(files.Select(async file => (file, result: await infra.Cli.BuildToStdoutAsync(file))));

        var problems = results
            .Where(run => run.result.ExitCode != 0 || run.result.Diagnostics.Count > 0)
            .Select(run => $"{Path.GetRelativePath(BuildInfo.RepositoryRoot, run.file)}: {run.result}")
            .ToList();
        Assert.True(problems.Count == 0, string.Join("\n\n", problems));
    }

    [Theory]
    [MemberData(nameof(RequiredErrorRules))]
    public void Bicep_config_raises_the_rule_to_an_error(string rule)
    {
        var rules = ConfiguredRules();
        Assert.True(rules.TryGetValue(rule, out var level), $"{rule} is not configured in infra/bicepconfig.json.");
        Assert.Equal("error", level);
    }

    [Fact]
    public async Task Every_rule_the_config_raises_fails_the_lint_of_a_violating_file()
    {
        // Proves the configured rule names exist in the pinned CLI (unknown names are silently
        // ignored) and that their level applies: Linting/violations.bicep breaks each of them.
        var workDirectory = Directory.CreateTempSubdirectory("bicep-lint-");
        try
        {
            foreach (var file in new[] { "violations.bicep", "child.bicep" })
            {
                File.Copy(BuildInfo.InRepository("tests", "Gateway.Infra.Tests", "Linting", file), Path.Combine(workDirectory.FullName, file));
            }

            File.Copy(BicepConfigPath, Path.Combine(workDirectory.FullName, "bicepconfig.json"));

            var lint = await infra.Cli.LintAsync(Path.Combine(workDirectory.FullName, "violations.bicep"));

            var errorRules = lint.Diagnostics.Where(diagnostic => diagnostic.IsError).Select(diagnostic => diagnostic.Code).ToHashSet();
            var configuredErrors = ConfiguredRules().Where(rule => rule.Value == "error").Select(rule => rule.Key).ToList();
            Assert.NotEmpty(configuredErrors);
            var silent = configuredErrors.Where(rule => !errorRules.Contains(rule)).ToList();
            Assert.True(silent.Count == 0, $"These rules reported no error on the violating file: {string.Join(", ", silent)}\n{lint}");
            Assert.NotEqual(0, lint.ExitCode);
        }
        finally
        {
            workDirectory.Delete(recursive: true);
        }
    }

    private static Dictionary<string, string?> ConfiguredRules()
    {
        var config = JsonNode.Parse(File.ReadAllText(BicepConfigPath))!;
        var rules = config["analyzers"]?["core"]?["rules"]?.AsObject() ?? [];
        return rules.ToDictionary(rule => rule.Key, rule => rule.Value?["level"]?.GetValue<string>());
    }
}
