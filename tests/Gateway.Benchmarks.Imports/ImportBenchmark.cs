using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Libromi.Gateway.Benchmarks.Imports;

/// <summary>Starts Azurite, runs one child per size and prints the figures side by side.</summary>
internal static class ImportBenchmark
{
    public static async Task<int> RunAsync(int[] sizes)
    {
        var results = new List<RunResult>();
        foreach (var size in sizes)
        {
            // A fresh Azurite per size: Node's in-memory store slows as it fills, which would penalise the larger run.
            Console.Error.WriteLine($"running {size} rows...");
            results.Add(await WithAzuriteAsync(connection => RunChildProcessAsync(size, connection)));
        }
        Print(results);
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

    private static async Task<RunResult> RunChildProcessAsync(int rows, string connection)
    {
        var self = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        self.ArgumentList.Add(typeof(ImportBenchmark).Assembly.Location);
        self.ArgumentList.Add("--child");
        self.ArgumentList.Add(rows.ToString(CultureInfo.InvariantCulture));
        self.ArgumentList.Add(connection);
        using var child = Process.Start(self)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'))
            ?? throw new InvalidOperationException($"The {rows}-row run printed no result (exit {child.ExitCode}):\n{output}");
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
    int Rows, double ImportRowsPerSecond, double BaselineRowsPerSecond, double ImportTransactionsPerRow, double BaselineTransactionsPerRow, long Messages, long PeakWorkingSetBytes);
