using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Libromi.Gateway.Imports;

namespace Libromi.Gateway.Benchmarks.Imports;

/// <summary>Starts Azurite, runs one child per size and prints the figures side by side.</summary>
internal static class ImportBenchmark
{
    /// <summary>
    /// Runs <paramref name="runs"/>: a number is a CSV of that many rows; <c>element:MB[:LIMIT]</c> is a JSON file with one
    /// element of MB megabytes, under <c>Imports__MaxRecordBytes</c> = LIMIT (default: the option's default).
    /// </summary>
    public static async Task<int> RunAsync(string[] runs)
    {
        var results = new List<RunResult>();
        var elements = new List<(string Run, RunResult Result)>();
        foreach (var run in runs)
        {
            // A fresh Azurite per run: Node's in-memory store slows as it fills, which would penalise the larger run.
            Console.Error.WriteLine($"running {run}...");
            if (run.StartsWith("element:", StringComparison.Ordinal))
            {
                var parts = run.Split(':');
                var limit = parts.Length > 2 ? parts[2] : new ImportOptions().MaxRecordBytes.ToString(CultureInfo.InvariantCulture);
                elements.Add((run, await WithAzuriteAsync(connection => RunChildProcessAsync(["--child-element", parts[1], limit, connection]))));
            }
            else
            {
                results.Add(await WithAzuriteAsync(connection => RunChildProcessAsync(["--child", run, connection])));
            }
        }
        Print(results);
        PrintElements(results, elements);
        return 0;
    }

    private static async Task<RunResult> WithAzuriteAsync(Func<string, Task<RunResult>> run)
    {
        var root = FindRepositoryRoot();
        int blob = FreePort(), queue = FreePort(), table = FreePort();
        var azurite = new ProcessStartInfo(Path.Combine(root, "node_modules", ".bin", "azurite"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--silent", "--inMemoryPersistence",
            "--blobHost", "127.0.0.1", "--blobPort", $"{blob}", "--queueHost", "127.0.0.1", "--queuePort", $"{queue}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{table}" })
        {
            azurite.ArgumentList.Add(argument);
        }
        using var process = Process.Start(azurite)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await WaitListeningAsync(queue);
            await WaitListeningAsync(table);
            return await run("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
                $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<RunResult> RunChildProcessAsync(string[] arguments)
    {
        var self = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        self.ArgumentList.Add(typeof(ImportBenchmark).Assembly.Location);
        foreach (var argument in arguments)
        {
            self.ArgumentList.Add(argument);
        }
        using var child = Process.Start(self)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'))
            ?? throw new InvalidOperationException($"The run {string.Join(' ', arguments[..^1])} printed no result (exit {child.ExitCode}):\n{output}");
        return JsonSerializer.Deserialize<RunResult>(line)!;
    }

    private static void Print(IReadOnlyList<RunResult> results)
    {
        Console.WriteLine();
        Console.WriteLine("| rows | import: rows accepted/s | baseline: 1 msg/row enqueued/s | ratio (target >= 1.0) | import storage tx/row | baseline tx/row | messages | upload peak working set |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Rows:N0} | {r.ImportRowsPerSecond:N0} | {r.BaselineRowsPerSecond:N0} | {r.ImportRowsPerSecond / r.BaselineRowsPerSecond:N2} | {r.ImportTransactionsPerRow:N3} | {r.BaselineTransactionsPerRow:N3} | {r.Messages:N0} | {r.PeakWorkingSetBytes / 1024.0 / 1024:N0} MB |"));
        }
        if (results.Count >= 2)
        {
            var smallest = results[0];
            var largest = results[^1];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"\npeak memory {largest.Rows:N0} / {smallest.Rows:N0} rows: {(double)largest.PeakWorkingSetBytes / smallest.PeakWorkingSetBytes:N2} (target <= 1.2; and < 200 MB)"));
        }
    }

    /// <summary>Each large-element run's peak beside the largest row run's: a refused element must cost no more than a big file.</summary>
    private static void PrintElements(IReadOnlyList<RunResult> rows, IReadOnlyList<(string Run, RunResult Result)> elements)
    {
        if (elements.Count == 0)
        {
            return;
        }
        Console.WriteLine();
        Console.WriteLine("| upload | answer | time to answer | upload peak working set |");
        Console.WriteLine("|---|---|---:|---:|");
        var largest = rows.Count > 0 ? rows[^1] : null;
        if (largest is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| CSV, {largest.Rows:N0} rows | 202 | {largest.Seconds:N1} s | {largest.PeakWorkingSetBytes / 1024.0 / 1024:N0} MB |"));
        }
        foreach (var (run, result) in elements)
        {
            var parts = run.Split(':');
            var limit = parts.Length > 2 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : new ImportOptions().MaxRecordBytes;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| JSON, one {parts[1]} MB element, Imports__MaxRecordBytes {limit:N0} | {result.Answer} | {result.Seconds:N1} s | {result.PeakWorkingSetBytes / 1024.0 / 1024:N0} MB |"));
        }
        if (largest is not null)
        {
            Console.WriteLine();
            foreach (var (run, result) in elements)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"peak memory {run} / {largest.Rows:N0} rows: {(double)result.PeakWorkingSetBytes / largest.PeakWorkingSetBytes:N2} (target <= 1.0 at the default limit)"));
            }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Gateway.sln not found.");
    }

    private static async Task WaitListeningAsync(int port)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new InvalidOperationException($"Azurite did not listen on {port}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal sealed record RunResult(
    int Rows, double ImportRowsPerSecond, double BaselineRowsPerSecond, double ImportTransactionsPerRow, double BaselineTransactionsPerRow, long Messages, long PeakWorkingSetBytes)
{
    /// <summary>Status and problem code, for a run whose upload is expected to be refused.</summary>
    public string? Answer { get; init; }

    /// <summary>From sending the upload to its answer.</summary>
    public double Seconds { get; init; }
}
