using System.Diagnostics;
using System.Text;

namespace Libromi.Gateway.Infra.Tests.Bicep;

/// <summary>Runs the Bicep CLI that restore downloaded (PackageDownload in the project file).</summary>
public sealed class BicepCli
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    private BicepCli(string executablePath) => ExecutablePath = executablePath;

    public string ExecutablePath { get; }

    /// <summary>
    /// Finds the binary where restore put it: the path recorded at build time from
    /// $(NuGetPackageRoot), else NUGET_PACKAGES or ~/.nuget/packages.
    /// </summary>
    public static BicepCli Locate()
    {
        var relative = Path.Combine("azure.bicep.commandline.linux-x64", BuildInfo.BicepVersion, "tools", "bicep");
        var packageRoots = new[]
        {
            Environment.GetEnvironmentVariable("NUGET_PACKAGES"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        };
        var candidates = new[] { BuildInfo.BicepPath }
            .Concat(packageRoots.Where(root => !string.IsNullOrEmpty(root)).Select(root => Path.Combine(root!, relative)));

        var path = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                $"Bicep CLI {BuildInfo.BicepVersion} not found (looked at {string.Join(", ", candidates)}). " +
                "Run 'dotnet restore' on the solution; the Infra test project downloads Azure.Bicep.CommandLine.linux-x64.");

        EnsureExecutable(path);
        return new BicepCli(path);
    }

    public Task<BicepResult> BuildToStdoutAsync(string bicepFile) => RunAsync("build", bicepFile, "--stdout");

    public Task<BicepResult> LintAsync(string bicepFile) => RunAsync("lint", bicepFile);

    public async Task<BicepResult> RunAsync(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {CommandTimeout}.");
        }

        return new BicepResult(process.ExitCode, await stdout, await stderr);
    }

    // Files extracted from a NuGet package can lose their execute bit.
    private static void EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }
    }
}

/// <summary>Exit code and output of one Bicep CLI run.</summary>
public sealed record BicepResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Diagnostic lines ("path(line,col) : Error rule: message") from both streams.</summary>
    public IReadOnlyList<BicepDiagnostic> Diagnostics =>
        (StandardOutput + "\n" + StandardError)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(BicepDiagnostic.TryParse)
            .OfType<BicepDiagnostic>()
            .ToList();

    public override string ToString() => $"exit {ExitCode}\n{StandardError}\n{StandardOutput}";
}
