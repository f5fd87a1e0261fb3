using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Libromi.Gateway.Infra.Tests.Bicep;

namespace Libromi.Gateway.Infra.Tests.Docs;

/// <summary>docs/deploy.md, main.parameters.json and azure.yaml stay true to the template.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed partial class DeployGuideTests(CompiledInfraFixture infra)
{
    private static string Guide => File.ReadAllText(BuildInfo.InRepository("docs", "deploy.md"));

    [Theory]
    [InlineData("deadletter-growing.kql")]
    [InlineData("circuit-open.kql")]
    public void Deploy_guide_shows_the_exact_query_each_alert_rule_runs(string queryFile)
    {
        var query = File.ReadAllText(BuildInfo.InRepository("infra", "modules", "alerts", queryFile));
        Assert.Contains("```kusto\n" + query + "```", Guide, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_guide_documents_every_template_parameter()
    {
        var undocumented = infra.Template.Parameters.Select(parameter => parameter.Key)
            .Where(name => !Guide.Contains($"| `{name}` |", StringComparison.Ordinal))
            .ToList();
        Assert.True(undocumented.Count == 0, $"Parameters missing from the table in docs/deploy.md: {string.Join(", ", undocumented)}");
    }

    [Fact]
    public void Deploy_guide_names_every_output_the_template_prints()
    {
        var undocumented = infra.Template.Outputs.Select(output => output.Key)
            .Where(name => name.StartsWith("GATEWAY_", StringComparison.Ordinal) || name.StartsWith("KEY_VAULT_", StringComparison.Ordinal))
            .Where(name => !Guide.Contains($"`{name}`", StringComparison.Ordinal))
            .ToList();
        Assert.True(undocumented.Count == 0, $"Outputs missing from docs/deploy.md: {string.Join(", ", undocumented)}");
    }

    [Fact]
    public void Parameters_file_supplies_every_required_parameter_and_no_unknown_one()
    {
        var file = JsonNode.Parse(File.ReadAllText(BuildInfo.InRepository("infra", "main.parameters.json")))!["parameters"]!.AsObject();
        var declared = infra.Template.Parameters;

        Assert.All(file, entry => Assert.True(declared.ContainsKey(entry.Key), $"main.parameters.json sets unknown parameter {entry.Key}"));
        var required = declared.Where(parameter => parameter.Value!["defaultValue"] is null).Select(parameter => parameter.Key).ToList();
        Assert.All(required, name => Assert.True(file.ContainsKey(name), $"main.parameters.json does not set required parameter {name}"));

        Assert.Equal("${AZURE_ENV_NAME}", file["environmentName"]!["value"]!.GetValue<string>());
        Assert.Equal("${AZURE_LOCATION}", file["location"]!["value"]!.GetValue<string>());
        Assert.Equal("${AZURE_PRINCIPAL_ID}", file["principalId"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void Azd_project_deploys_the_functions_project_as_the_gateway_service()
    {
        var azureYaml = File.ReadAllText(BuildInfo.InRepository("azure.yaml"));
        var service = ServiceBlock().Match(azureYaml);
        Assert.True(service.Success, "azure.yaml has no services.gateway entry.");

        var body = service.Groups["body"].Value;
        Assert.Matches(@"(?m)^\s+language:\s*dotnet\s*$", body);
        Assert.Matches(@"(?m)^\s+host:\s*function\s*$", body);
        var project = Regex.Match(body, @"(?m)^\s+project:\s*(?<path>\S+)\s*$").Groups["path"].Value;
        Assert.Equal("./functions/Gateway.Functions", project);
        Assert.True(File.Exists(BuildInfo.InRepository("functions", "Gateway.Functions", "Gateway.Functions.csproj")));

        Assert.Matches(@"(?m)^\s+path:\s*infra\s*$", azureYaml);
        Assert.Matches(@"(?m)^\s+module:\s*main\s*$", azureYaml);
    }

    [Fact]
    public void Azd_hook_prints_only_outputs_the_template_has()
    {
        var azureYaml = File.ReadAllText(BuildInfo.InRepository("azure.yaml"));
        var printed = HookVariable().Matches(azureYaml).Select(match => match.Groups["name"].Value).Distinct().ToList();
        Assert.NotEmpty(printed);
        Assert.All(printed, name => Assert.True(infra.Template.Outputs.ContainsKey(name), $"azure.yaml prints ${name}, which main.bicep does not output."));
    }

    [GeneratedRegex(@"(?ms)^  gateway:\s*\n(?<body>(?:    .*\n)+)")]
    private static partial Regex ServiceBlock();

    [GeneratedRegex(@"\$(?:env:)?(?<name>[A-Z][A-Z0-9_]+)")]
    private static partial Regex HookVariable();
}
