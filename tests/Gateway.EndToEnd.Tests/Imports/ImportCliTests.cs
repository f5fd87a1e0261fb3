using System.Text;
using Libromi.Gateway.Cli;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Spectre.Console;

namespace Libromi.Gateway.EndToEnd.Imports;

/// <summary><c>gateway import FILE --watch</c> against a running gateway: the exit code tells whether every row arrived.</summary>
public sealed class ImportCliTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;
    private readonly string _folder = Directory.CreateTempSubdirectory("gateway-cli-").FullName;
    private readonly StringWriter _output = new();

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        _gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private Task<int> RunAsync(string fileName, string content, params string[] options)
    {
        var path = Path.Combine(_folder, fileName);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(_output), Interactive = InteractionSupport.No, Ansi = AnsiSupport.No });
        return ImportCommand.RunAsync(["import", path, "--url", _gateway.BaseAddress.ToString(), "--key", GatewayHost.ApiKey, "--poll-seconds", "0.2", .. options], console, CancellationToken.None);
    }

    [Fact]
    public async Task Watching_an_import_whose_rows_all_arrive_exits_zero()
    {
        var exitCode = await RunAsync("contacts.csv", $"name,phone_number,staff_email\nAnn,447700900701,{SimulatorFixture.StaffEmail}\nBen,447700900702,\n", "--watch");

        Assert.True(exitCode == ImportCommand.Success, _output.ToString());
        Assert.Contains("Every row was delivered", _output.ToString(), StringComparison.Ordinal);
        Assert.Equal(SimulatorFixture.StaffEmail, (await fixture.Simulator.Inspector.GetContactAsync("447700900701"))!.AssignedStaff);
    }

    [Fact]
    public async Task A_row_failing_at_Libromi_makes_the_watch_exit_non_zero_with_its_reason()
    {
        var exitCode = await RunAsync("contacts.json", """[{"phone_number": "447700900711", "staff_email": "nobody@company.test"}]""", "--watch");

        Assert.Equal(ImportCommand.NotEveryRow, exitCode);
        Assert.Contains("Staff not found", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_file_exits_with_the_refusal()
    {
        var exitCode = await RunAsync("contacts.csv", "name,phone_number\nA,1\n", "--strict");

        Assert.Equal(ImportCommand.Refused, exitCode);
        Assert.Contains("line 2", _output.ToString(), StringComparison.Ordinal);
    }
}
