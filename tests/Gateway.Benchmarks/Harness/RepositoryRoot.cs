namespace Libromi.Gateway.Benchmarks.Harness;

internal static class RepositoryRoot
{
    /// <summary>The folder holding Gateway.sln, found from the benchmark's output folder.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Gateway.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"Gateway.sln was not found above {AppContext.BaseDirectory}.");
    }
}
