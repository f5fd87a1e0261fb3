using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Trail;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.Replays;

/// <summary>
/// Replays logged webhook deliveries with today's integration definition: the stored body goes through the same mapping,
/// deduplication and enqueue as a live delivery (<see cref="WebhookIngestor.IngestVerifiedAsync"/>), without verification
/// (the delivery was verified when it arrived; its signature headers were never stored). Each delivery replayed is marked
/// with the job's id on its log row before the job's checkpoint moves on, so a page worked twice replays nothing twice.
/// </summary>
public sealed partial class DeliveryReplayer(DeliveryLog log, WebhookIngestor ingestor, ILogger<DeliveryReplayer> logger)
{
    /// <summary>Rows read per page of a dry-run count: headers only, so a count stays cheap over a long window.</summary>
    private const int CountPageSize = 1000;

    /// <summary>What to do with one logged delivery, before any mapping.</summary>
    public static DeliveryDecision Decide(LoggedDelivery delivery, string jobId) => delivery switch
    {
        { ReplayJob: { } job } when job == jobId => DeliveryDecision.ReplayedByThisJob,
        { ReplayJob: not null } => DeliveryDecision.Skip(ReplaySkipReasons.AlreadyReplayed),
        { Verification: not "verified" } => DeliveryDecision.Skip(ReplaySkipReasons.NotVerified),
        { Body: null } => DeliveryDecision.Skip(ReplaySkipReasons.NoBody),
        { BodyTruncated: true } => DeliveryDecision.Skip(ReplaySkipReasons.BodyTruncated),
        _ => DeliveryDecision.Replay,
    };

    public async Task<ReplayPageResult> ReplayPageAsync(ReplayJob job, int pageSize, CancellationToken cancellationToken)
    {
        var filter = job.Request.Deliveries ?? throw new InvalidOperationException($"Job {job.Id} does not replay deliveries.");
        var cursor = job.Cursor is { } text && TrailCursor.TryDecode(text, out var decoded) ? decoded : (TrailCursor?)null;
        var (items, next) = await log.ReadForReplayAsync(filter.ToQuery(pageSize, cursor), cancellationToken).ConfigureAwait(false);
        var tally = new ReplayTally();
        foreach (var delivery in items.Where(d => filter.DeliveryId is null || d.Key.Id == filter.DeliveryId))
        {
            tally.Match();
            var decision = Decide(delivery, job.Id);
            if (decision == DeliveryDecision.ReplayedByThisJob)
            {
                // This page was worked before and its checkpoint lost: the delivery was replayed then, not again now.
                tally.Replay();
                continue;
            }
            if (decision.SkipReason is { } reason)
            {
                tally.Skip(reason);
                continue;
            }
            await ReplayOneAsync(job.Id, delivery, tally, cancellationToken).ConfigureAwait(false);
        }
        return tally.ToPage(next?.Encode());
    }

    /// <summary>Counts what a job with <paramref name="filter"/> would find, without reading bodies or mapping anything.</summary>
    public async Task<ReplayPageResult> CountAsync(DeliveryReplayFilter filter, CancellationToken cancellationToken)
    {
        var tally = new ReplayTally();
        TrailCursor? cursor = null;
        do
        {
            var (items, next) = await log.ReadHeadersForReplayAsync(filter.ToQuery(CountPageSize, cursor), cancellationToken).ConfigureAwait(false);
            foreach (var delivery in items.Where(d => filter.DeliveryId is null || d.Key.Id == filter.DeliveryId))
            {
                tally.Match();
                if (Decide(delivery, jobId: "") is { SkipReason: { } reason })
                {
                    tally.Skip(reason);
                }
                else
                {
                    tally.Replay();
                }
            }
            cursor = next;
        }
        while (cursor is not null);
        return tally.ToPage(null);
    }

    private async Task ReplayOneAsync(string jobId, LoggedDelivery delivery, ReplayTally tally, CancellationToken cancellationToken)
    {
        if (!ingestor.TryGetIntegration(delivery.Integration, out var integration) || integration is null)
        {
            tally.Skip(ReplaySkipReasons.UnknownIntegration);
            return;
        }
        var request = WebhookRequest.Post(
            new Uri($"https://replay.invalid/api/hooks/{Uri.EscapeDataString(delivery.Integration)}"), new WebhookHeaders([]), delivery.Body ?? [], delivery.ContentType);
        var outcome = await ingestor.IngestVerifiedAsync(integration, request, CorrelationOf(jobId), cancellationToken, delivery.Key.Id).ConfigureAwait(false);
        switch (outcome)
        {
            case HookOutcome.Accepted accepted:
                await log.MarkReplayedAsync(delivery.Key, jobId, accepted.OperationIds, cancellationToken).ConfigureAwait(false);
                tally.Replay();
                LogReplayed(logger, delivery.Key.Id, jobId, accepted.OperationIds.Count);
                break;
            case HookOutcome.Duplicate:
                tally.Skip(ReplaySkipReasons.Duplicate);
                break;
            case HookOutcome.StorageUnavailable:
                // Nothing of this delivery stayed stored: the page is worked again when the message comes back.
                throw new IOException($"Storage failed while replaying delivery {delivery.Key.Id}.");
            default:
                var failure = WebhooksApi.ToDeliveryRecord(delivery.Integration, outcome, delivery.ContentType, null).Outcome;
                tally.Fail(failure);
                LogNotReplayed(logger, delivery.Key.Id, jobId, failure);
                break;
        }
    }

    /// <summary>The correlation id of the operations a job enqueues: the trail and logs tie them to the job.</summary>
    public static string CorrelationOf(string jobId) => $"replay-{jobId}";

    [LoggerMessage(EventId = 3211, EventName = "DeliveryReplayed", Level = LogLevel.Information,
        Message = "Replayed delivery {DeliveryId} in replay job {JobId}: {OperationCount} operations enqueued")]
    private static partial void LogReplayed(ILogger logger, string deliveryId, string jobId, int operationCount);

    [LoggerMessage(EventId = 3212, EventName = "DeliveryNotReplayed", Level = LogLevel.Information,
        Message = "Delivery {DeliveryId} was not replayed in replay job {JobId}: today's mapping refuses it ({Outcome})")]
    private static partial void LogNotReplayed(ILogger logger, string deliveryId, string jobId, string outcome);
}

/// <summary>What a replay does with one logged delivery before mapping it: replay it, skip it for a reason, or count it as done already.</summary>
public sealed record DeliveryDecision(string? SkipReason, bool AlreadyDone)
{
    public static readonly DeliveryDecision Replay = new(null, false);
    public static readonly DeliveryDecision ReplayedByThisJob = new(null, true);

    public static DeliveryDecision Skip(string reason) => new(reason, false);
}
