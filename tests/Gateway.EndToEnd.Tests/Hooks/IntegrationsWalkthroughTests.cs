using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Libromi.Gateway.Cli;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;

namespace Libromi.Gateway.EndToEnd.Hooks;

/// <summary>
/// The walkthrough of docs/integrations/README.md ("From a new file to live traffic") is run as written: each
/// <c>gateway</c> command through the CLI's own code, the gateway started the way its "go live" line configures it, each
/// <c>curl</c> against that gateway; the exit code or status and the text written after each command must match.
/// </summary>
public sealed partial class IntegrationsWalkthroughTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private const string CliPrefix = "dotnet run --project tools/Gateway.Cli -- ";
    private const string LocalGateway = "http://127.0.0.1:7071";
    private const string DevelopmentAdminKey = "dev-admin-key";

    [Fact]
    public async Task Every_command_of_the_walkthrough_does_what_the_walkthrough_says()
    {
        await fixture.ResetAsync();
        var steps = Walkthrough();
        Assert.Equal(3, steps.Count(s => s.Command.StartsWith(CliPrefix, StringComparison.Ordinal)));
        Assert.Equal(2, steps.Count(s => s.Command.StartsWith("curl ", StringComparison.Ordinal)));

        GatewayHost? gateway = null;
        try
        {
            foreach (var (command, expected) in steps)
            {
                if (command.StartsWith(CliPrefix, StringComparison.Ordinal))
                {
                    var (exitCode, output) = await RunCliAsync(command[CliPrefix.Length..]);
                    var expectation = ExitExpectation().Match(expected ?? "");
                    Assert.True(expectation.Success, $"no '# exit N: text' after {command}");
                    Assert.True(int.Parse(expectation.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) == exitCode, $"{command}\nexited {exitCode}:\n{output}");
                    Assert.Contains(expectation.Groups[2].Value, output, StringComparison.Ordinal);
                }
                else if (command.StartsWith("Gateway__IntegrationsFile=", StringComparison.Ordinal))
                {
                    gateway = await GoLiveAsync(command);
                }
                else if (command.StartsWith("curl ", StringComparison.Ordinal))
                {
                    Assert.True(gateway is not null, $"{command} runs before the walkthrough starts a gateway");
                    var (status, body) = await CurlAsync(gateway, command);
                    var expectation = StatusExpectation().Match(expected ?? "");
                    Assert.True(expectation.Success, $"no '# STATUS: text' after {command}");
                    Assert.True(int.Parse(expectation.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) == status, $"{command}\nanswered {status}:\n{body}");
                    Assert.Contains(expectation.Groups[2].Value, body, StringComparison.Ordinal);
                }
                else
                {
                    Assert.Fail($"the walkthrough has a command this test cannot run: {command}");
                }
            }
        }
        finally
        {
            if (gateway is not null)
            {
                await gateway.DisposeAsync();
            }
        }
    }

    /// <summary>Each command of the walkthrough's bash blocks (continuation lines joined) and the comment line after it.</summary>
    private static List<(string Command, string? Expected)> Walkthrough()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "integrations", "README.md"));
        var start = readme.IndexOf("## From a new file to live traffic", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/integrations/README.md has no walkthrough section");
        var end = readme.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];

        var steps = new List<(string, string?)>();
        foreach (Match block in BashBlock().Matches(section))
        {
            var lines = block.Groups[1].Value.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < lines.Length; i++)
            {
                if (!lines[i].StartsWith('#'))
                {
                    steps.Add((Regex.Replace(lines[i], @"\s+", " "), i + 1 < lines.Length && lines[i + 1].StartsWith('#') ? lines[i + 1] : null));
                }
            }
        }
        return steps;
    }

    private static async Task<(int ExitCode, string Output)> RunCliAsync(string arguments)
    {
        var args = arguments.Split(' ').Select(a => a.StartsWith("docs/", StringComparison.Ordinal) ? Path.Combine(RepositoryRoot.Path, a) : a).ToArray();
        var output = new StringWriter();
        var exitCode = args is ["integrations", "check", ..]
            ? IntegrationsCheckCommand.Run(args, IntegrationsTestCliTests.Console(output))
            : await IntegrationsTestCommand.RunAsync(args, IntegrationsTestCliTests.Console(output), CancellationToken.None);
        return (exitCode, output.ToString());
    }

    /// <summary><c>Gateway__IntegrationsFile=$PWD/FILE env "Gateway__Secrets__NAME=VALUE" bash scripts/run-local.sh</c>, on the test's Azurite and simulator.</summary>
    private async Task<GatewayHost> GoLiveAsync(string command)
    {
        var file = GoLiveFile().Match(command);
        Assert.True(file.Success, $"cannot read the integrations file of: {command}");
        var settings = new Dictionary<string, string?> { ["Gateway:IntegrationsFile"] = Path.Combine(RepositoryRoot.Path, file.Groups[1].Value) };
        foreach (Match secret in GoLiveSecret().Matches(command))
        {
            settings[$"Gateway:Secrets:{secret.Groups[1].Value}"] = secret.Groups[2].Value;
        }
        return await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, settings);
    }

    private static async Task<(int Status, string Body)> CurlAsync(GatewayHost gateway, string command)
    {
        var url = CurlUrl().Match(command).Groups[1].Value;
        Assert.StartsWith(LocalGateway, url, StringComparison.Ordinal);
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        using var request = new HttpRequestMessage(new HttpMethod(CurlMethod().Match(command).Groups[1].Value), url[LocalGateway.Length..]);

        var data = CurlData().Match(command);
        var body = data.Groups[1].Success
            ? File.ReadAllText(Path.Combine(RepositoryRoot.Path, data.Groups[1].Value))
            : data.Groups[2].Value;
        request.Content = new StringContent(body, Encoding.UTF8);
        foreach (Match header in CurlHeader().Matches(command))
        {
            var (name, value) = (header.Groups[1].Value, header.Groups[2].Value);
            // The local run's development admin key is the test host's admin key.
            value = value == DevelopmentAdminKey ? GatewayHost.AdminKey : value;
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [GeneratedRegex(@"^# exit (\d+): (.+)$")]
    private static partial Regex ExitExpectation();

    [GeneratedRegex(@"^# (\d{3}): (.+)$")]
    private static partial Regex StatusExpectation();

    [GeneratedRegex(@"Gateway__IntegrationsFile=\$PWD/(\S+)")]
    private static partial Regex GoLiveFile();

    [GeneratedRegex(@"""Gateway__Secrets__([A-Za-z0-9-]+)=([^""]+)""")]
    private static partial Regex GoLiveSecret();

    [GeneratedRegex(@"(http://127\.0\.0\.1:7071\S+)")]
    private static partial Regex CurlUrl();

    [GeneratedRegex(@"-X (\w+)")]
    private static partial Regex CurlMethod();

    [GeneratedRegex(@"-H '([^:']+): ([^']*)'")]
    private static partial Regex CurlHeader();

    [GeneratedRegex(@"-d (?:@(\S+)|'([^']*)')")]
    private static partial Regex CurlData();
}
