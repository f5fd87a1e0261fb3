using System.Collections.Concurrent;
using Libromi.Gateway.Secrets;

namespace Libromi.Gateway.Tests.Secrets;

/// <summary>An in-memory secret store that counts reads and can hold them open to line up concurrent callers.</summary>
internal sealed class ScriptedSecretSource(string kind = "key-vault") : ISecretSource
{
    private readonly ConcurrentDictionary<string, string> _secrets = new();
    private int _reads;
    private TaskCompletionSource? _gate;

    public string Kind => kind;

    public int Reads => Volatile.Read(ref _reads);

    public Exception? Failure { get; set; }

    public void Set(string name, string value) => _secrets[name] = value;

    /// <summary>Reads from now on wait until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate?.TrySetResult();

    public async ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        if (_gate is { } held)
        {
            await held.Task.WaitAsync(cancellationToken);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }

        return _secrets.TryGetValue(name, out var value) ? value : null;
    }
}
