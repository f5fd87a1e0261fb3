using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Libromi.Gateway.Queueing;

namespace Libromi.Gateway.Replays;

/// <summary>
/// "Work on page <see cref="Page"/> of job <see cref="JobId"/>": the text of a <c>replay-jobs</c> message, <c>{job}:{page}</c>.
/// The page number lets a worker tell a message delivered twice from the next page's message.
/// </summary>
public readonly record struct ReplayWork(string JobId, int Page)
{
    public override string ToString() => $"{JobId}:{Page.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A job id is 32 lower-case hex digits (a version 7 GUID), as <c>POST /api/replays</c> answered it.</summary>
    public static bool IsJobId(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    public static bool TryParse(string? text, [NotNullWhen(true)] out ReplayWork? work)
    {
        work = null;
        var colon = text?.LastIndexOf(':') ?? -1;
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var page))
        {
            return false;
        }
        var id = text![..colon];
        if (!IsJobId(id))
        {
            return false;
        }
        work = new ReplayWork(id, page);
        return true;
    }
}

/// <summary>The <c>replay-jobs</c> queue: one small message per page still to do, so no invocation runs long.</summary>
public sealed class ReplayWorkQueue(QueueServiceClient queueService)
{
    public QueueClient Queue { get; } = queueService.GetQueueClient(QueueNames.ReplayJobs);

    /// <summary>Where a message goes after its last delivery failed, as the Functions host puts it (<c>replay-jobs-poison</c>).</summary>
    public QueueClient Poison { get; } = queueService.GetQueueClient(QueueNames.PoisonOf(QueueNames.ReplayJobs));

    public Task EnsureCreatedAsync(CancellationToken cancellationToken = default) => Queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);

    /// <summary>Copies <paramref name="message"/> to the poison queue, kept until an operator removes it, then deletes it here.</summary>
    public async Task PoisonAsync(QueueMessage message, CancellationToken cancellationToken = default)
    {
        await Poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await Poison.SendMessageAsync(message.Body, timeToLive: OperationQueues.NeverExpires, cancellationToken: cancellationToken).ConfigureAwait(false);
        await Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
    }

    public async Task EnqueueAsync(ReplayWork work, TimeSpan? visibilityDelay, CancellationToken cancellationToken = default)
    {
        try
        {
            await Queue.SendMessageAsync(work.ToString(), visibilityDelay, OperationQueues.NeverExpires, cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException exception) when (exception.Status == 404)
        {
            await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            await Queue.SendMessageAsync(work.ToString(), visibilityDelay, OperationQueues.NeverExpires, cancellationToken).ConfigureAwait(false);
        }
    }
}
