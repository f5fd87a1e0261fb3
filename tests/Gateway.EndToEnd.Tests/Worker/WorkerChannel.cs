using System.Collections.Concurrent;
using Grpc.Core;
using Libromi.Gateway.EndToEnd.Worker.Rpc;

namespace Libromi.Gateway.EndToEnd.Worker;

/// <summary>
/// The host's end of the worker's one bidirectional stream: requests go out with a fresh <c>request_id</c>, which the
/// worker copies into its answer, so each answer completes the request that asked for it. Log messages the worker
/// streams (<see cref="RpcLog"/>) are kept for a failing test's output and for secret scans.
/// </summary>
internal sealed class WorkerChannel
{
    private readonly TaskCompletionSource<string> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentQueue<RpcLog> _logs = new();
    private IServerStreamWriter<StreamingMessage>? _writer;

    /// <summary>Completes with the worker id of the worker's <c>StartStream</c>.</summary>
    public Task<string> Started => _started.Task;

    /// <summary>Completes when the worker's side of the stream ends.</summary>
    public Task Closed => _closed.Task;

    public IReadOnlyCollection<RpcLog> Logs => _logs;

    /// <summary>Sends a request and waits for the worker's answer to it.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, CancellationToken cancellationToken)
    {
        request.RequestId = Guid.NewGuid().ToString();
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[request.RequestId] = answer;
        try
        {
            await SendAsync(request, cancellationToken);
            return await answer.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pending.TryRemove(request.RequestId, out _);
        }
    }

    /// <summary>Sends a message that has no answer (<c>WorkerTerminate</c>).</summary>
    public async Task SendAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        var writer = _writer ?? throw new InvalidOperationException("The worker has not opened its stream.");
        // gRPC allows one write at a time on a stream; invocations are sent concurrently.
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await writer.WriteAsync(message, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The <c>FunctionRpc.EventStream</c> call: the worker's first message must be <c>StartStream</c>.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        try
        {
            if (!await requests.MoveNext(cancellationToken) || requests.Current.ContentCase != StreamingMessage.ContentOneofCase.StartStream)
            {
                throw new Grpc.Core.RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, "The worker's first message must be StartStream."));
            }
            _writer = responses;
            _started.TrySetResult(requests.Current.StartStream.WorkerId);
            while (await requests.MoveNext(cancellationToken))
            {
                var message = requests.Current;
                if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog)
                {
                    _logs.Enqueue(message.RpcLog);
                }
                else if (_pending.TryGetValue(message.RequestId, out var answer))
                {
                    answer.TrySetResult(message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The worker went away or the fixture stopped: Closed tells the waiters.
        }
        catch (IOException)
        {
            // The worker process was killed mid-stream.
        }
        finally
        {
            _closed.TrySetResult();
            foreach (var answer in _pending.Values)
            {
                answer.TrySetException(new IOException("The worker closed its stream before answering."));
            }
        }
    }
}

/// <summary>The gRPC service the worker connects to, as it connects to the Functions host.</summary>
internal sealed class FunctionRpcService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        channel.RunAsync(requestStream, responseStream, context.CancellationToken);
}
