using System.Collections.Concurrent;
using Libromi.Gateway.Secrets;

namespace Libromi.Gateway.Tests.Secrets;

/// <summary>An in-memory secret store that counts reads and can hold them open to line up concurrent callers.</summary>
internal sealed class ScriptedSecretSource(string kind = "key-vault") : ISecretSource
{
    private readonly ConcurrentDictionary<string, string> secrets = new();
    private int reads;
    private TaskCompletionSource? gate;

    public string Kind => kind;

    public int Reads => Volatile.Read(ref reads);

    public Exception? Failure { get; set; }

    public void Set(string name, string value) => secrets[name] = value;

    /// <summary>Reads from now on wait until <see cref="Release"/>.</summary>
    public void Hold() => gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => gate?.TrySetResult();

    public async ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref reads);
        if (gate is { } held)
        {
            await held.Task.WaitAsync(cancellationToken);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }

        return secrets.TryGetValue(name, out var value) ? value : null;
    }
}
