using System.Globalization;
using System.Text;
using Libromi.Gateway.EndToEnd.Fixtures;
using Xunit.Abstractions;

namespace Libromi.Gateway.EndToEnd.Reliability;

/// <summary>
/// The suite's figures (operations sent, delivered, lost, duplicated, dead-lettered; cases tried): printed to the
/// test output and appended to <c>TestResults/reliability-figures.md</c> at the repository root (git-ignored).
/// </summary>
internal static class ReliabilityFigures
{
    private static readonly object FileLock = new();

    public static string FilePath { get; } = Path.Combine(RepositoryRoot.Path, "TestResults", "reliability-figures.md");

    public static void Report(ITestOutputHelper output, string test, IEnumerable<(string Name, object Value)> figures)
    {
        var list = figures.ToList();
        var line = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"| {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z | {test} | ")
            .Append(string.Join(", ", list.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Name} {f.Value}"))))
            .Append(" |")
            .ToString();
        foreach (var (name, value) in list)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{test}: {name} = {value}"));
        }

        lock (FileLock)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            if (!File.Exists(FilePath))
            {
                File.WriteAllText(FilePath, "# Reliability suite figures\n\n| when (UTC) | test | figures |\n|---|---|---|\n");
            }
            File.AppendAllText(FilePath, line + "\n");
        }
    }
}
