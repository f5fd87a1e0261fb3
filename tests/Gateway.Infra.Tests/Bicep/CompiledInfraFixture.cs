using System.Text.Json.Nodes;
using Libromi.Gateway.Infra.Tests.Arm;

namespace Libromi.Gateway.Infra.Tests.Bicep;

/// <summary>
/// Compiles and lints infra/main.bicep once for all policy tests, with the pinned Bicep CLI.
/// </summary>
public sealed class CompiledInfraFixture : IAsyncLifetime
{
    public static string MainBicep => BuildInfo.InRepository("infra", "main.bicep");

    public BicepCli Cli { get; private set; } = null!;

    public BicepResult Build { get; private set; } = null!;

    public BicepResult Lint { get; private set; } = null!;

    /// <summary>The compiled ARM JSON of main.bicep, modules included as nested deployments.</summary>
    public ArmTemplate Template { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cli = BicepCli.Locate();
        var build = Cli.BuildToStdoutAsync(MainBicep);
        var lint = Cli.LintAsync(MainBicep);
        Build = await build;
        Lint = await lint;

        if (Build.ExitCode != 0)
        {
            throw new InvalidOperationException($"bicep build {MainBicep} failed:\n{Build}");
        }

        Template = new ArmTemplate(JsonNode.Parse(Build.StandardOutput)!.AsObject());
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class CompiledInfraCollection : ICollectionFixture<CompiledInfraFixture>
{
    public const string Name = "Compiled infra";
}
