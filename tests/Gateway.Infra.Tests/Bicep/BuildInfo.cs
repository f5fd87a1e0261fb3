using System.Reflection;

namespace Libromi.Gateway.Infra.Tests.Bicep;

/// <summary>Paths the project file records at build time (see Gateway.Infra.Tests.csproj).</summary>
internal static class BuildInfo
{
    public static string BicepPath => Read("BicepPath");

    public static string BicepVersion => Read("BicepVersion");

    public static string RepositoryRoot => Read("RepositoryRoot");

    public static string InRepository(params string[] relativeParts) =>
        Path.Combine([RepositoryRoot, .. relativeParts]);

    private static string Read(string key) =>
        typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing; the project file records it at build time.");
}
