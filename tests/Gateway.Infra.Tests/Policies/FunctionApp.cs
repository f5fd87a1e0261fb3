using Libromi.Gateway.Infra.Tests.Arm;

namespace Libromi.Gateway.Infra.Tests.Policies;

internal static class FunctionApp
{
    public static ArmResource Site(ArmTemplate template) => template.SingleOfType(ResourceTypes.Site);

    /// <summary>The app settings the template writes, name to value (values may be ARM expressions).</summary>
    public static IReadOnlyDictionary<string, string> AppSettings(ArmTemplate template)
    {
        var settings = Site(template).Node("properties.siteConfig.appSettings")?.AsArray()
            ?? throw new InvalidOperationException("The function app declares no siteConfig.appSettings.");
        return settings.ToDictionary(
            setting => setting!["name"]!.GetValue<string>(),
            setting => setting!["value"]!.GetValue<string>(),
            StringComparer.Ordinal);
    }
}
