using Libromi.Gateway.Queueing;
using Libromi.Gateway.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Replays;

/// <summary>
/// Starts replay jobs and works them one page per <c>replay-jobs</c> message, on both hosts (the Functions queue trigger,
/// the standalone <see cref="ReplayWorkService"/>). A page is worked, the next page's message is sent, then the checkpoint
/// (counts and cursor) is stored: a crash before the checkpoint brings the page's message back and the page is worked
/// again, which replays nothing twice (a replayed dead letter is gone, a replayed delivery carries the job's mark).
/// </summary>
public sealed partial class ReplayJobRunner(
    ReplayJobStore jobs, ReplayWorkQueue work, DeadLetterPageReplayer deadLetters, DeliveryReplayer deliveries, IOptions<ReplayOptions> options,
    IOptions<OperationPumpOptions> queueOptions, TimeProvider timeProvider, ILogger<ReplayJobRunner> logger)
{
    /// <summary>
    /// The next page's message stays hidden this long, so that it finds the checkpoint stored before it; one that comes
    /// early anyway is put back (<see cref="ReplayWorkAheadException"/>).
    /// </summary>
    public static readonly TimeSpan ContinuationDelay = TimeSpan.FromSeconds(1);

    /// <summary>What the job would find, counted now; nothing is stored or queued.</summary>
    public Task<ReplayPageResult> CountAsync(ReplayRequest request, CancellationToken cancellationToken) =>
        request.Source == ReplaySource.DeadLetters
            ? deadLetters.CountAsync(request.DeadLetters!, cancellationToken)
            : deliveries.CountAsync(request.Deliveries!, cancellationToken);

    public async Task<ReplayJob> StartAsync(ReplayRequest request, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var job = ReplayJob.Create(Guid.CreateVersion7(now).ToString("N"), request, now);
        await jobs.AddAsync(job, cancellationToken).ConfigureAwait(false);
        await work.EnqueueAsync(new ReplayWork(job.Id, 0), visibilityDelay: null, cancellationToken).ConfigureAwait(false);
        LogStarted(logger, job.Id, request.SourceName);
        return job;
    }

    public async Task<ReplayJob?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await jobs.GetAsync(id, cancellationToken).ConfigureAwait(false))?.Job;

    /// <summary>
    /// Works the page a <c>replay-jobs</c> message names; a message for a page already done is dropped. A failure is
    /// thrown, so the message is delivered again; on its last delivery (<paramref name="dequeueCount"/> reaching
    /// <see cref="OperationPumpOptions.MaxDequeueCount"/>, host.json's <c>maxDequeueCount</c>) the job is first marked
    /// failed with the reason, because the message then goes to <c>replay-jobs-poison</c> and nothing would work the
    /// job's remaining pages: without the mark it would read "running" for ever.
    /// </summary>
    /// <exception cref="ReplayWorkAheadException">The message came before the previous page's checkpoint; deliver it again later.</exception>
    public async Task RunPageAsync(string message, long dequeueCount, CancellationToken cancellationToken)
    {
        try
        {
            await WorkPageAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (dequeueCount >= queueOptions.Value.MaxDequeueCount
            && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            await GiveUpAsync(message, dequeueCount, exception, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Marks the job of a message delivered for the last time failed; best effort, as storage may be what failed.</summary>
    private async Task GiveUpAsync(string message, long dequeueCount, Exception failure, CancellationToken cancellationToken)
    {
        if (!ReplayWork.TryParse(message, out var parsed))
        {
            return;
        }
        var page = parsed.Value;
        var error = failure is ReplayWorkAheadException
            ? $"page {page.Page} came {dequeueCount} times before page {page.Page - 1} was recorded; the job stopped, start it again to finish"
            : $"page {page.Page} failed {dequeueCount} times ({failure.GetType().Name}); the job stopped, start it again to finish";
        try
        {
            if (await jobs.GetAsync(page.JobId, cancellationToken).ConfigureAwait(false) is ({ } job, var etag)
                && !ReplayStates.IsFinished(job.State) && job.Page <= page.Page)
            {
                await jobs.TryUpdateAsync(job.FailedWith(error, timeProvider.GetUtcNow()), etag, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken) || exception is Azure.RequestFailedException)
        {
            // The message still goes to replay-jobs-poison, where an operator finds it; the log says which job it was.
        }
        LogGaveUp(logger, page.JobId, page.Page, dequeueCount, failure.GetType().Name);
    }

    private async Task WorkPageAsync(string message, CancellationToken cancellationToken)
    {
        if (!ReplayWork.TryParse(message, out var parsed))
        {
            LogUnreadableWork(logger, message.Length);
            return;
        }
        var page = parsed.Value;
        if (await jobs.GetAsync(page.JobId, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            LogStaleWork(logger, page.JobId, page.Page);
            return;
        }
        var (job, etag) = found;
        if (page.Page > job.Page && !ReplayStates.IsFinished(job.State))
        {
            throw new ReplayWorkAheadException(page);
        }
        if (page.Page < job.Page || ReplayStates.IsFinished(job.State))
        {
            LogStaleWork(logger, page.JobId, page.Page);
            return;
        }

        ReplayPageResult result;
        try
        {
            result = job.Request.Source == ReplaySource.DeadLetters
                ? await deadLetters.ReplayPageAsync(job, options.Value.PageSize, cancellationToken).ConfigureAwait(false)
                : await deliveries.ReplayPageAsync(job, options.Value.PageSize, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!StorageFaults.IsStorageFault(exception, cancellationToken) && exception is not OperationCanceledException)
        {
            // A storage fault is retried with the message; anything else would fail the same way again.
            await jobs.TryUpdateAsync(job.FailedWith(exception.GetType().Name, timeProvider.GetUtcNow()), etag, cancellationToken).ConfigureAwait(false);
            LogFailed(logger, job.Id, job.Page, exception.GetType().Name);
            return;
        }

        var next = job.After(result, timeProvider.GetUtcNow());
        if (next.State != ReplayStates.Completed)
        {
            await work.EnqueueAsync(new ReplayWork(job.Id, next.Page), ContinuationDelay, cancellationToken).ConfigureAwait(false);
        }
        if (!await jobs.TryUpdateAsync(next, etag, cancellationToken).ConfigureAwait(false))
        {
            LogLostCheckpoint(logger, job.Id, job.Page);
            return;
        }
        if (next.State == ReplayStates.Completed)
        {
            LogCompleted(logger, job.Id, next.Matched, next.Replayed, next.SkippedTotal, next.FailedTotal);
        }
    }

    [LoggerMessage(EventId = 3201, EventName = "ReplayJobStarted", Level = LogLevel.Information, Message = "Replay job {JobId} of {Source} started by admin key")]
    private static partial void LogStarted(ILogger logger, string jobId, string source);

    [LoggerMessage(EventId = 3202, EventName = "ReplayJobCompleted", Level = LogLevel.Information,
        Message = "Replay job {JobId} completed: {Matched} matched, {Replayed} replayed, {Skipped} skipped, {Failed} failed")]
    private static partial void LogCompleted(ILogger logger, string jobId, int matched, int replayed, int skipped, int failed);

    [LoggerMessage(EventId = 3203, EventName = "ReplayJobFailed", Level = LogLevel.Error, Message = "Replay job {JobId} failed on page {Page} ({Failure})")]
    private static partial void LogFailed(ILogger logger, string jobId, int page, string failure);

    [LoggerMessage(EventId = 3204, EventName = "ReplayWorkStale", Level = LogLevel.Debug, Message = "Dropped work on page {Page} of replay job {JobId}: that page is done, or the job is unknown")]
    private static partial void LogStaleWork(ILogger logger, string jobId, int page);

    [LoggerMessage(EventId = 3205, EventName = "ReplayWorkUnreadable", Level = LogLevel.Warning, Message = "Dropped a replay-jobs message of {Length} characters that names no job page")]
    private static partial void LogUnreadableWork(ILogger logger, int length);

    [LoggerMessage(EventId = 3209, EventName = "ReplayWorkAbandoned", Level = LogLevel.Error,
        Message = "Gave up on page {Page} of replay job {JobId} after {DequeueCount} deliveries ({Failure}); the job is marked failed and the message goes to replay-jobs-poison")]
    private static partial void LogGaveUp(ILogger logger, string jobId, int page, long dequeueCount, string failure);

    [LoggerMessage(EventId = 3206, EventName = "ReplayCheckpointLost", Level = LogLevel.Warning,
        Message = "Replay job {JobId} moved on while page {Page} was worked; this worker's checkpoint was not stored")]
    private static partial void LogLostCheckpoint(ILogger logger, string jobId, int page);
}

/// <summary>A page's message came before the previous page's checkpoint was stored: it is to be delivered again shortly.</summary>
public sealed class ReplayWorkAheadException(ReplayWork work)
    : Exception($"Page {work.Page} of replay job {work.JobId} came before the previous page was recorded; it will be delivered again.");
