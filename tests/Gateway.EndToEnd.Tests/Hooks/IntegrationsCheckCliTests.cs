using Libromi.Gateway.Cli;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Webhooks;
using Spectre.Console;

namespace Libromi.Gateway.EndToEnd.Hooks;

/// <summary>
/// <c>gateway integrations check FILE</c> says what a starting host would say: the same verdict, the same lines, and an
/// exit code a CI pipeline can act on.
/// </summary>
public sealed class IntegrationsCheckCliTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    public static TheoryData<string> ShippedFiles() =>
    [
        .. Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "docs", "integrations", "presets"), "*.json")
            .Append(Path.Combine(RepositoryRoot.Path, "functions", "Gateway.Standalone", "integrations.local.json"))
            .Append(Path.Combine(RepositoryRoot.Path, "docs", "integrations", "walkthrough", "crm.json"))
            .Select(path => Path.GetRelativePath(RepositoryRoot.Path, path)),
    ];

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Every_shipped_integrations_file_passes_the_check(string relativePath)
    {
        var (exitCode, output) = Check(Path.Combine(RepositoryRoot.Path, relativePath));

        Assert.True(exitCode == IntegrationsCheckCommand.Valid, output);
        Assert.Contains($"{Path.GetFileName(relativePath)}: valid, ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_file_exits_1_with_exactly_the_lines_a_starting_host_fails_with()
    {
        var path = Write("""
        { "integrations": { "crm": { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
                                     "operations": [ { "upsert_contact": { "phone_number": "phone", "atributes": {} } } ] },
                            "shop": { "verify": { "scheme": "hmac-sha256", "header": "X-Sig", "encoding": "hex", "timestamp_header": "X-Ts",
                                                  "tolerance_seconds": 86400, "secret": "shop-secret" },
                                      "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] } } }
        """);

        var (exitCode, output) = Check(path);
        var startUp = await Assert.ThrowsAsync<IntegrationsFileException>(() => GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator,
            new Dictionary<string, string?> { ["Gateway:IntegrationsFile"] = path }));

        Assert.Equal(IntegrationsCheckCommand.Invalid, exitCode);
        Assert.Equal(startUp.Message, output.TrimEnd());
        Assert.Equal(3, startUp.Errors.Count);
        Assert.DoesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_exits_1_as_a_host_given_it_would_not_start()
    {
        var path = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.json");

        var (exitCode, output) = Check(path);
        var startUp = await Assert.ThrowsAsync<IntegrationsFileException>(() => GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator,
            new Dictionary<string, string?> { ["Gateway:IntegrationsFile"] = path }));

        Assert.Equal(IntegrationsCheckCommand.Invalid, exitCode);
        Assert.Equal(startUp.Message, output.TrimEnd());
    }

    [Theory]
    [InlineData]
    [InlineData("integrations")]
    [InlineData("integrations", "check")]
    [InlineData("integrations", "lint", "integrations.json")]
    [InlineData("integrations", "check", "a.json", "b.json")]
    public void Anything_but_check_and_one_file_is_a_usage_error(params string[] args)
    {
        var output = new StringWriter();

        var exitCode = IntegrationsCheckCommand.Run(args, Console(output));

        Assert.Equal(IntegrationsCheckCommand.Usage, exitCode);
        Assert.Contains("usage: gateway integrations check FILE", output.ToString(), StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output) Check(string path)
    {
        var output = new StringWriter();
        var exitCode = IntegrationsCheckCommand.Run(["integrations", "check", path], Console(output));
        return (exitCode, output.ToString());
    }

    private static IAnsiConsole Console(StringWriter output) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.No, Ansi = AnsiSupport.No });

    private static string Write(string json)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("integrations-check-").FullName, "integrations.json");
        File.WriteAllText(path, json);
        return path;
    }
}
