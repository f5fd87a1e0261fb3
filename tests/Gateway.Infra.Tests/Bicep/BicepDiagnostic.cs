using System.Text.RegularExpressions;

namespace Libromi.Gateway.Infra.Tests.Bicep;

/// <summary>One diagnostic as the Bicep CLI prints it: <c>file(line,col) : Error code: message</c>.</summary>
public sealed partial record BicepDiagnostic(string File, string Level, string Code, string Message)
{
    public bool IsError => Level == "Error";

    public static BicepDiagnostic? TryParse(string line)
    {
        var match = DiagnosticLine().Match(line);
        return match.Success
            ? new BicepDiagnostic(match.Groups["file"].Value, match.Groups["level"].Value, match.Groups["code"].Value, match.Groups["message"].Value)
            : null;
    }

    public override string ToString() => $"{Path.GetFileName(File)}: {Level} {Code}: {Message}";

    [GeneratedRegex(@"^(?<file>.+?)\(\d+,\d+\) : (?<level>Error|Warning|Info) (?<code>[^:]+): (?<message>.*)$")]
    private static partial Regex DiagnosticLine();
}
