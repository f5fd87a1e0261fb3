using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Libromi.Gateway.DeadLetters;
using Libromi.Gateway.Figures;
using Libromi.Gateway.Imports;
using Libromi.Gateway.Queueing;

namespace Libromi.Gateway.EndToEnd.Fixtures;

/// <summary>
/// Azurite from the repository's pinned npm package, on free loopback ports, with its data in a temporary
/// folder (so a stop and start keeps the queues, as a storage outage would). Started with
/// <c>--skipApiVersionCheck</c> because the current Azure SDK announces a newer API version than Azurite.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    // Azurite's well-known development account (public, documented by Microsoft).
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _dataFolder = Directory.CreateTempSubdirectory("azurite-").FullName;
    private readonly StringBuilder _log = new();
    private Process? _process;

    // Taken together: ports asked for one at a time can come back equal (a CI run got the same one for queue and table).
    private readonly int[] _ports = FreePorts(3);

    public int BlobPort => _ports[0];
    public int QueuePort => _ports[1];
    public int TablePort => _ports[2];

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    /// <summary>What Azurite printed, for a failing test's output.</summary>
    public string Log { get { lock (_log) { return _log.ToString(); } } }

    public Task InitializeAsync() => StartAsync();

    public async Task StartAsync()
    {
        var executable = System.IO.Path.Combine(RepositoryRoot.Path, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed at {executable}: run 'npm ci' in {RepositoryRoot.Path} (scripts/test.sh does).");
        }
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl",
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(),
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(),
            "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(),
            "--location", _dataFolder,
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            while (!await IsListeningAsync(port))
            {
                if (_process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"Azurite did not listen on port {port}. Its output:\n{Log}");
                }
                await Task.Delay(100);
            }
        }
    }

    /// <summary>
    /// Stops Azurite, as a storage outage looks to the gateway. It is asked to stop (SIGTERM) so it saves what
    /// it acknowledged, as real storage never loses an acknowledged write; killed only if it does not stop.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            using (var terminate = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            {
                await terminate.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>
    /// Freezes Azurite (SIGSTOP): connections are accepted by the kernel but nothing answers, which is how a hung
    /// storage account looks to a client, unlike <see cref="StopAsync"/>'s refused connections. Always pair with
    /// <see cref="ThawAsync"/>.
    /// </summary>
    public Task FreezeAsync() => SignalAsync("-STOP");

    /// <summary>Resumes a frozen Azurite (SIGCONT); it then answers what it received while frozen.</summary>
    public Task ThawAsync() => SignalAsync("-CONT");

    private async Task SignalAsync(string signal)
    {
        var process = _process is { HasExited: false } running ? running : throw new InvalidOperationException("Azurite is not running.");
        using var kill = Process.Start("kill", [signal, process.Id.ToString()]) ?? throw new InvalidOperationException("kill did not start.");
        await kill.WaitForExitAsync();
    }

    public QueueServiceClient CreateQueueServiceClient() =>
        new(ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>
    /// Empties every gateway queue (the replay-jobs queue too), the dead-letter table, the hourly figures and the list of running imports, so tests sharing one Azurite
    /// do not see each other's messages. Imports themselves stay: with their messages gone they can never finish, and
    /// unlisted, nothing shows them.
    /// </summary>
    public async Task ClearQueuesAsync()
    {
        var queues = new OperationQueues(CreateQueueServiceClient());
        await queues.EnsureCreatedAsync();
        foreach (var queue in queues.All)
        {
            await queue.ClearMessagesAsync();
        }
        var wakes = CreateQueueServiceClient().GetQueueClient(QueueNames.Wake);
        await wakes.CreateIfNotExistsAsync();
        await wakes.ClearMessagesAsync();
        foreach (var name in new[] { QueueNames.ReplayJobs, QueueNames.PoisonOf(QueueNames.ReplayJobs) })
        {
            var replayWork = CreateQueueServiceClient().GetQueueClient(name);
            await replayWork.CreateIfNotExistsAsync();
            await replayWork.ClearMessagesAsync();
        }
        var deadLetters = new TableServiceClient(ConnectionString).GetTableClient(DeadLetterStore.TableName);
        await deadLetters.CreateIfNotExistsAsync();
        await foreach (var entity in deadLetters.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
        {
            await deadLetters.DeleteEntityAsync(entity.PartitionKey, entity.RowKey);
        }
        var imports = new TableServiceClient(ConnectionString).GetTableClient(ImportTable.TableName);
        await imports.CreateIfNotExistsAsync();
        await foreach (var entity in imports.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {RunningImportIndex.Partition}"), select: ["PartitionKey", "RowKey"]))
        {
            await imports.DeleteEntityAsync(entity.PartitionKey, entity.RowKey);
        }
        // Figures are counts over 24 h: a test that checks them must not see an earlier test's traffic.
        var figures = new TableServiceClient(ConnectionString).GetTableClient(FigureTable.TableName);
        await figures.CreateIfNotExistsAsync();
        await foreach (var entity in figures.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
        {
            await figures.DeleteEntityAsync(entity.PartitionKey, entity.RowKey);
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log) { _log.AppendLine(line); }
        }
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    internal static int FreePort() => FreePorts(1)[0];

    /// <summary><paramref name="count"/> distinct free ports: every listener stays open until all are chosen.</summary>
    internal static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }
}
