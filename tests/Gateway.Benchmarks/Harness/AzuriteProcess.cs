using System.Diagnostics;
using System.Text;

namespace Libromi.Gateway.Benchmarks.Harness;

/// <summary>
/// Azurite from the repository's pinned npm package on free loopback ports, data in memory so disk speed does not
/// enter the figures. <c>--skipApiVersionCheck</c> because the current SDK announces a newer API version than Azurite.
/// </summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    // Azurite's well-known development account (public, documented by Microsoft).
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private AzuriteProcess(Process process, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string ConnectionString { get; }

    public static async Task<AzuriteProcess> StartAsync()
    {
        var executable = Path.Combine(RepositoryRoot.Path, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed at {executable}: run 'npm ci' in {RepositoryRoot.Path}.");
        }
        int blobPort = LoopbackPort.Free(), queuePort = LoopbackPort.Free(), tablePort = LoopbackPort.Free();
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--inMemoryPersistence",
            "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(),
            "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(),
            "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(),
        })
        {
            start.ArgumentList.Add(argument);
        }

        var azurite = new AzuriteProcess(Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start."), blobPort, queuePort, tablePort);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var port in new[] { blobPort, queuePort, tablePort })
        {
            while (!await LoopbackPort.IsListeningAsync(port))
            {
                if (azurite._process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"Azurite did not listen on port {port}. Its output:\n{azurite.Log}");
                }
                await Task.Delay(100);
            }
        }
        return azurite;
    }

    public string Log { get { lock (_log) { return _log.ToString(); } } }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log) { _log.AppendLine(line); }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
