using Libromi.Gateway.Webhooks;
using Spectre.Console;

namespace Libromi.Gateway.Cli;

/// <summary>
/// <c>gateway integrations check FILE</c>: the gateway's start-up validation of an integrations file, as a command
/// for CI pipelines that keep the file in a repository. It prints what a starting host would refuse to start with,
/// line for line, and needs neither storage nor secrets: secrets are named in the file, never held in it.
/// </summary>
internal static class IntegrationsCheckCommand
{
    public const int Valid = 0;
    /// <summary>The file is invalid or cannot be read: a host given it would not start.</summary>
    public const int Invalid = 1;
    public const int Usage = 2;

    private const string UsageText = "usage: gateway integrations check FILE";

    public static int Run(string[] args, IAnsiConsole console)
    {
        if (args is not ["integrations", "check", var file])
        {
            console.WriteLine(UsageText);
            return Usage;
        }
        var path = Path.GetFullPath(file);
        var fileName = Path.GetFileName(path);
        if (!IntegrationsFile.TryLoad(path, out var integrations, out var errors))
        {
            // The same text the host's start-up failure carries, so a CI log and a failed deployment read alike.
            console.Profile.Out.Writer.WriteLine(IntegrationsFileException.Describe(fileName, errors));
            return Invalid;
        }
        console.Profile.Out.Writer.WriteLine(integrations.Count == 0
            ? $"{fileName}: valid, with no integrations (every /api/hooks/* request will be 404)."
            : $"{fileName}: valid, {integrations.Count} integration{(integrations.Count == 1 ? "" : "s")}: {string.Join(", ", integrations.Keys.Order(StringComparer.Ordinal))}.");
        return Valid;
    }
}
