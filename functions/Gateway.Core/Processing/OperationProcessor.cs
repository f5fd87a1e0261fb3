using System.Diagnostics;
using Libromi.Gateway.DeadLetters;
using Microsoft.Extensions.DependencyInjection;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.RateLimiting;
using Libromi.Gateway.Scenarios;
using Libromi.Gateway.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Processing;

/// <summary>
/// Delivers one queued envelope to Libromi, step by step, and records its fate durably before returning:
/// delivered, put back with a delay it computes, or dead-lettered with the reason. The host then deletes the
/// original message. An exception means "nothing was recorded": the host leaves the message for a retry.
/// </summary>
public sealed partial class OperationProcessor(
    LibromiClient libromi,
    DeliveryGate gate,
    SendingState sendingState,
    ISharedPause sharedPause,
    OperationQueues queues,
    DrainWakeups wakeups,
    DeadLetterStore deadLetters,
    GatewayTelemetry telemetry,
    IOptions<ProcessingOptions> options,
    [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider,
    ILogger<OperationProcessor> logger,
    IEnumerable<IOperationObserver> observers,
    ScenarioSender scenarios)
{
    public async Task<ProcessingResult> ProcessAsync(string messageText, CancellationToken cancellationToken = default)
    {
        using var activity = GatewayTelemetry.ActivitySource.StartActivity("process operation", ActivityKind.Consumer);
        var result = await ProcessCoreAsync(messageText, activity, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("gateway.outcome", result.ToString());
        if (result == ProcessingResult.DeadLettered)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "dead-lettered");
        }
        return result;
    }

    private async Task<ProcessingResult> ProcessCoreAsync(string messageText, Activity? activity, CancellationToken cancellationToken)
    {
        if (!EnvelopeSerializer.TryDeserialize(messageText, out var envelope, out var error))
        {
            await DeadLetterUnreadableAsync(null, messageText, error, cancellationToken).ConfigureAwait(false);
            return ProcessingResult.DeadLettered;
        }

        // The correlation id set at ingest follows the operation into this activity and, as baggage, into the call to Libromi.
        activity?.SetTag(GatewayTelemetry.OperationTag, envelope.OperationId);
        activity?.SetTag(GatewayTelemetry.CorrelationTag, envelope.CorrelationId);
        activity?.SetTag("gateway.lane", GatewayTelemetry.LaneName(envelope.Lane));
        activity?.SetTag("gateway.attempt", envelope.Attempt);
        activity?.AddBaggage(GatewayTelemetry.CorrelationTag, envelope.CorrelationId);

        // A packed import message (envelope version 2) holds several contacts, delivered in order; one that has to
        // wait takes the rest with it. A version 1 message is one contact.
        var contacts = envelope.Unpack();
        foreach (var observer in observers)
        {
            contacts = await observer.SkipFinishedAsync(contacts, cancellationToken).ConfigureAwait(false);
        }
        var result = ProcessingResult.Delivered;
        for (var index = 0; index < contacts.Count; index++)
        {
            var contactResult = await ProcessContactAsync(contacts[index], contacts.Skip(index + 1).ToArray(), cancellationToken).ConfigureAwait(false);
            if (contactResult is ProcessingResult.Deferred or ProcessingResult.Retried)
            {
                return contactResult;
            }
            if (contactResult == ProcessingResult.DeadLettered)
            {
                result = ProcessingResult.DeadLettered;
            }
        }
        return result;
    }

    private async Task<ProcessingResult> ProcessContactAsync(
        OperationEnvelope contact, IReadOnlyList<OperationEnvelope> rest, CancellationToken cancellationToken, IReadOnlyList<LibromiCallRecord>? earlierCalls = null)
    {
        if (!PhoneNumber.TryParse(contact.PhoneNumber, null, out var phone, out var error))
        {
            await DeadLetterUnreadableAsync(contact, null, error, cancellationToken).ConfigureAwait(false);
            return ProcessingResult.DeadLettered;
        }

        List<LibromiCallRecord> calls = [.. earlierCalls ?? []];
        for (var index = 0; index < contact.Steps.Count; index++)
        {
            var remaining = index == 0 ? contact : contact with { Steps = contact.Steps.Skip(index).ToArray() };
            if (contact.Steps[index].Kind == OperationKind.TriggerScenario)
            {
                var (scenarioDecision, scenarioOutcome) = await TriggerScenarioAsync(contact, remaining, contact.Steps[index], calls, cancellationToken).ConfigureAwait(false);
                if (scenarioDecision is not DeliveryDecision.Continue)
                {
                    return await CarryOutAsync(scenarioDecision, remaining, rest, scenarioOutcome, calls, cancellationToken, signalSending: false).ConfigureAwait(false);
                }
                continue;
            }
            var call = await CallAsync(contact.Lane, phone.Value, contact.Steps[index], cancellationToken).ConfigureAwait(false);
            AddCall(calls, call, contact.Steps[index].Kind, contact);
            var decision = Decide(call, remaining);
            if (decision is not DeliveryDecision.Continue)
            {
                return await CarryOutAsync(decision, remaining, rest, call.Outcome, calls, cancellationToken).ConfigureAwait(false);
            }
            sendingState.ReportDelivered();
        }

        telemetry.Delivered(contact, timeProvider.GetUtcNow());
        LogDelivered(logger, contact.OperationId, contact.Steps.Count, contact.Source);
        foreach (var observer in observers)
        {
            await observer.OnDeliveredAsync(contact, cancellationToken).ConfigureAwait(false);
        }
        await SettleAsync(contact, new Settlement(SettlementKind.Delivered, calls), cancellationToken).ConfigureAwait(false);
        return ProcessingResult.Delivered;
    }

    /// <summary>
    /// One scenario step, through its own sender, limiter and pause; the account's <see cref="SendingState"/> is
    /// neither consulted nor told (a scenario URL is not a contact endpoint). The outcome is what the dead letter
    /// and the trail record; for an unknown outcome it stands in with the reason.
    /// </summary>
    private async Task<(DeliveryDecision Decision, LibromiOutcome? Outcome)> TriggerScenarioAsync(
        OperationEnvelope contact, OperationEnvelope remaining, OperationStep step, List<LibromiCallRecord> calls, CancellationToken cancellationToken)
    {
        switch (await scenarios.SendAsync(contact, step, cancellationToken).ConfigureAwait(false))
        {
            case ScenarioCall.AlreadyDelivered:
                return (new DeliveryDecision.Continue(), null);
            case ScenarioCall.NoPermit noPermit:
                return (DeliveryPolicy.WithoutPermit(noPermit.Wait, options.Value), null);
            case ScenarioCall.OutcomeUnknown:
                var unknown = DeliveryPolicy.ScenarioOutcomeUnknown();
                return (unknown, new LibromiOutcome.Rejected(((DeliveryDecision.DeadLetter)unknown).Reason, null));
            case ScenarioCall.Answered answered:
                telemetry.PermitUsed(timeProvider.GetUtcNow());
                AddCall(calls, new PermittedCall(answered.Outcome, TimeSpan.Zero), step.Kind, contact);
                var decision = DeliveryPolicy.DecideScenario(answered.Outcome, remaining, options.Value, timeProvider.GetUtcNow(), Random.Shared.NextDouble());
                if (answered.Outcome is LibromiOutcome.RateLimited limited)
                {
                    // The pause lasts the whole hint; the message comes back sooner (capped delay) and waits at the scenario gate.
                    var pause = limited.RetryAfter ?? options.Value.RateLimitedFallbackPause;
                    LogScenarioRateLimited(logger, contact.OperationId, pause.TotalSeconds);
                    await scenarios.PauseAsync(timeProvider.GetUtcNow() + pause, cancellationToken).ConfigureAwait(false);
                }
                return (decision, answered.Outcome);
            default:
                throw new InvalidOperationException("Unhandled scenario call.");
        }
    }

    /// <summary>Keeps what a call with an answer came to, for <see cref="IOperationObserver.OnSettledAsync"/>.</summary>
    private void AddCall(List<LibromiCallRecord> calls, PermittedCall call, OperationKind step, OperationEnvelope contact)
    {
        if (call.Outcome is { } outcome)
        {
            calls.Add(new LibromiCallRecord(timeProvider.GetUtcNow(), step, contact.Attempt + 1, outcome.GetType().Name, outcome.StatusCode, outcome.ResponseBody));
        }
    }

    private async Task SettleAsync(OperationEnvelope contact, Settlement settlement, CancellationToken cancellationToken)
    {
        foreach (var observer in observers)
        {
            await observer.OnSettledAsync(contact, settlement, cancellationToken).ConfigureAwait(false);
        }
    }

    private DeliveryDecision Decide(PermittedCall call, OperationEnvelope envelope) => call.Outcome is { } outcome
        ? DeliveryPolicy.Decide(outcome, envelope, sendingState.ConsecutiveRateLimits, options.Value, timeProvider.GetUtcNow(), Random.Shared.NextDouble())
        : DeliveryPolicy.WithoutPermit(call.Wait, options.Value);

    /// <summary>
    /// Carries out a decision other than <see cref="DeliveryDecision.Continue"/> for <paramref name="remaining"/> (the
    /// undelivered steps) and <paramref name="rest"/> (the packed contacts after it): tell the sending state, then
    /// requeue or dead-letter, durably, before the caller lets the original message go.
    /// </summary>
    private async Task<ProcessingResult> CarryOutAsync(
        DeliveryDecision decision, OperationEnvelope remaining, IReadOnlyList<OperationEnvelope> rest, LibromiOutcome? outcome,
        IReadOnlyList<LibromiCallRecord> calls, CancellationToken cancellationToken, bool signalSending = true)
    {
        var now = timeProvider.GetUtcNow();
        if (signalSending)
        {
            Signal(decision);
        }
        switch (decision)
        {
            case DeliveryDecision.Pause pause:
                telemetry.RateLimited();
                LogRateLimited(logger, remaining.OperationId, (pause.Until - now).TotalSeconds, pause.ServerHint);
                await PublishPauseAsync(pause.Until, cancellationToken).ConfigureAwait(false);
                await RequeueAsync(remaining, rest, pause.RequeueDelay, cancellationToken).ConfigureAwait(false);
                await SettleAsync(remaining, new Settlement(SettlementKind.Requeued, calls, now + pause.RequeueDelay, "rate limited by Libromi"), cancellationToken).ConfigureAwait(false);
                return ProcessingResult.Deferred;

            case DeliveryDecision.OpenCircuit open:
                LogAuthFault(logger, outcome?.StatusCode ?? 0, open.Reason);
                await RequeueAsync(remaining, rest, open.RequeueDelay, cancellationToken).ConfigureAwait(false);
                await SettleAsync(remaining, new Settlement(SettlementKind.Requeued, calls, now + open.RequeueDelay, open.Reason), cancellationToken).ConfigureAwait(false);
                return ProcessingResult.Deferred;

            case DeliveryDecision.AwaitPermit wait:
                await RequeueAsync(remaining, rest, wait.RequeueDelay, cancellationToken).ConfigureAwait(false);
                await SettleAsync(remaining, new Settlement(SettlementKind.Requeued, calls, now + wait.RequeueDelay, "waiting for a rate-limit permit"), cancellationToken).ConfigureAwait(false);
                return ProcessingResult.Deferred;

            case DeliveryDecision.Retry retry:
                LogTransient(logger, remaining.OperationId, retry.Attempt, retry.RequeueDelay.TotalSeconds, retry.Reason);
                await RequeueAsync(Record(remaining, outcome!, retry.Reason, now), rest, retry.RequeueDelay, cancellationToken).ConfigureAwait(false);
                telemetry.Retried(remaining.Lane);
                await SettleAsync(remaining, new Settlement(SettlementKind.Requeued, calls, now + retry.RequeueDelay, retry.Reason), cancellationToken).ConfigureAwait(false);
                return ProcessingResult.Retried;

            case DeliveryDecision.DeadLetter dead:
                // The failed step and the ones after it (which depend on it) are dead-lettered together.
                var detail = outcome switch { LibromiOutcome.Transient t => t.Reason, LibromiOutcome.Rejected r => r.Reason, _ => dead.Reason };
                await DeadLetterAsync(Record(remaining, outcome!, detail, now), dead.ReasonClass, dead.Reason, outcome!, cancellationToken).ConfigureAwait(false);
                await SettleAsync(remaining, new Settlement(SettlementKind.DeadLettered, calls, Reason: $"{dead.ReasonClass}: {dead.Reason}"), cancellationToken).ConfigureAwait(false);
                return ProcessingResult.DeadLettered;

            default:
                throw new InvalidOperationException($"Unhandled decision {decision.GetType().Name}.");
        }
    }

    /// <summary>What the decision tells this instance's sending state (and, for a pause, through it the others).</summary>
    private void Signal(DeliveryDecision decision)
    {
        switch (decision.Sending)
        {
            case SendingSignal.Healthy:
                sendingState.ReportDelivered();
                break;
            case SendingSignal.Unproven:
                sendingState.ReleaseProbe();
                break;
            case SendingSignal.Paused:
                sendingState.PauseUntil(((DeliveryDecision.Pause)decision).Until);
                sendingState.ReleaseProbe();
                break;
            case SendingSignal.CircuitOpen:
                sendingState.OpenCircuit(((DeliveryDecision.OpenCircuit)decision).Reason, options.Value.AuthProbeInterval);
                break;
        }
    }

    /// <summary>
    /// Delivers several envelopes for one contact, all of them queued attribute updates (each possibly followed by
    /// other steps), with one merged <c>PUT</c> (<see cref="AttributeCoalescer"/>), and records every envelope's
    /// fate as if it had been delivered alone. Results are in the order of <paramref name="messageTexts"/>.
    /// </summary>
    public async Task<IReadOnlyList<ProcessingResult>> ProcessCoalescedAsync(IReadOnlyList<string> messageTexts, CancellationToken cancellationToken = default)
    {
        var envelopes = messageTexts.Select(text => AttributeCoalescer.Read(text) ?? throw new ArgumentException("Only coalescable messages can be merged.", nameof(messageTexts))).ToArray();
        if (envelopes.Length == 1)
        {
            return [await ProcessAsync(messageTexts[0], cancellationToken).ConfigureAwait(false)];
        }
        using var activity = GatewayTelemetry.ActivitySource.StartActivity("process coalesced operations", ActivityKind.Consumer);
        activity?.SetTag("gateway.coalesced", envelopes.Length);
        var phone = PhoneNumber.TryParse(envelopes[0].PhoneNumber, null, out var parsed, out _) ? parsed!.Value : throw new ArgumentException("Unreadable phone number.", nameof(messageTexts));
        var lane = envelopes[0].Lane;

        var call = await CallAsync(lane, phone, AttributeCoalescer.Merge(envelopes), cancellationToken).ConfigureAwait(false);
        if (call.Outcome is not { } outcome)
        {
            var wait = DeliveryPolicy.WithoutPermit(call.Wait, options.Value);
            List<ProcessingResult> deferred = [];
            foreach (var envelope in envelopes)
            {
                deferred.Add(await CarryOutAsync(wait, envelope, [], null, [], cancellationToken).ConfigureAwait(false));
            }
            return deferred;
        }

        // The merged call counts as a call for each envelope it carried.
        IReadOnlyList<LibromiCallRecord> MergedCall(OperationEnvelope envelope)
        {
            List<LibromiCallRecord> calls = [];
            AddCall(calls, call, OperationKind.UpdateAttributes, envelope);
            return calls;
        }

        List<ProcessingResult> results = [];
        switch (outcome)
        {
            case LibromiOutcome.Delivered:
                sendingState.ReportDelivered();
                var saved = envelopes.Sum(e => AttributeCoalescer.LeadingUpdates(e)) - 1;
                telemetry.Coalesced(saved, lane);
                LogCoalesced(logger, envelopes.Length, envelopes[0].OperationId, saved);
                foreach (var envelope in envelopes)
                {
                    // Steps after an envelope's attribute updates (staff assignment) follow the merged PUT, in arrival order.
                    var tail = envelope.Steps.Skip(AttributeCoalescer.LeadingUpdates(envelope)).ToArray();
                    if (tail.Length > 0)
                    {
                        results.Add(await ProcessContactAsync(envelope with { Steps = tail }, [], cancellationToken, MergedCall(envelope)).ConfigureAwait(false));
                        continue;
                    }
                    telemetry.Delivered(envelope, timeProvider.GetUtcNow());
                    LogDelivered(logger, envelope.OperationId, envelope.Steps.Count, envelope.Source);
                    foreach (var observer in observers)
                    {
                        await observer.OnDeliveredAsync(envelope, cancellationToken).ConfigureAwait(false);
                    }
                    await SettleAsync(envelope, envelope.OperationId == envelopes[0].OperationId
                        ? new Settlement(SettlementKind.Delivered, MergedCall(envelope))
                        : new Settlement(SettlementKind.Merged, MergedCall(envelope), MergedInto: envelopes[0].OperationId), cancellationToken).ConfigureAwait(false);
                    results.Add(ProcessingResult.Delivered);
                }
                return results;

            case LibromiOutcome.Rejected rejected:
                // Some envelope's data is refused: send them one by one so exactly the faulty one is dead-lettered.
                LogCoalescedRejected(logger, envelopes.Length, rejected.Reason);
                foreach (var envelope in envelopes)
                {
                    results.Add(await ProcessContactAsync(envelope, [], cancellationToken, MergedCall(envelope)).ConfigureAwait(false));
                }
                return results;

            case LibromiOutcome.Transient:
                // Each envelope failed once, as it would have alone.
                foreach (var envelope in envelopes)
                {
                    results.Add(await CarryOutAsync(Decide(call, envelope), envelope, [], outcome, MergedCall(envelope), cancellationToken).ConfigureAwait(false));
                }
                return results;

            default:
                // 429 or a rejected token: not the messages' fault. Pause (or open the circuit) once, put all back alike.
                var decision = Decide(call, envelopes[0]);
                results.Add(await CarryOutAsync(decision, envelopes[0], [], outcome, MergedCall(envelopes[0]), cancellationToken).ConfigureAwait(false));
                var alike = DeliveryPolicy.WithoutPermit(decision switch
                {
                    DeliveryDecision.Pause pause => pause.RequeueDelay,
                    DeliveryDecision.OpenCircuit open => open.RequeueDelay,
                    _ => throw new InvalidOperationException($"Unexpected decision {decision.GetType().Name} for {outcome.GetType().Name}."),
                }, options.Value);
                foreach (var envelope in envelopes.Skip(1))
                {
                    results.Add(await CarryOutAsync(alike, envelope, [], null, MergedCall(envelope), cancellationToken).ConfigureAwait(false));
                }
                return results;
        }
    }

    /// <summary>
    /// One step's call to Libromi, every request with its own permit in the message's lane: the first from the gate,
    /// and, when Libromi refused a token the store has since replaced, the one retry with the new token another
    /// (docs/libromi-api.md: re-read the token once). No outcome means no permit came within the gate's wait: nothing
    /// was delivered, and the caller puts the work back after <see cref="PermittedCall.Wait"/> without counting an attempt.
    /// </summary>
    private async Task<PermittedCall> CallAsync(Lane lane, PhoneNumber phone, OperationStep step, CancellationToken cancellationToken)
    {
        if (await gate.WaitForPermitAsync(lane, cancellationToken).ConfigureAwait(false) is { } wait)
        {
            return new PermittedCall(null, wait);
        }
        telemetry.PermitUsed(timeProvider.GetUtcNow());
        var outcome = await libromi.ExecuteAsync(phone, step, lane, cancellationToken).ConfigureAwait(false);
        if (outcome is not LibromiOutcome.AuthFault { TokenReplaced: true })
        {
            return new PermittedCall(outcome, TimeSpan.Zero);
        }

        LogRetryingWithReplacedToken(logger, lane);
        if (await gate.WaitForRetryPermitAsync(lane, cancellationToken).ConfigureAwait(false) is { } retryWait)
        {
            return new PermittedCall(null, retryWait);
        }
        telemetry.PermitUsed(timeProvider.GetUtcNow());
        return new PermittedCall(await libromi.ExecuteAsync(phone, step, lane, cancellationToken).ConfigureAwait(false), TimeSpan.Zero);
    }

    /// <summary>What <see cref="CallAsync"/> came to: Libromi's outcome, or none and how long to wait for a permit.</summary>
    private readonly record struct PermittedCall(LibromiOutcome? Outcome, TimeSpan Wait);

    /// <summary>Tells the other instances about the pause; if storage is down they will meet their own 429, so it is only logged.</summary>
    private async Task PublishPauseAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        try
        {
            await sharedPause.PauseAsync(until, "429 from Libromi", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogPauseNotShared(logger, exception.GetType().Name);
        }
    }

    private static OperationEnvelope Record(OperationEnvelope envelope, LibromiOutcome outcome, string detail, DateTimeOffset now) => envelope with
    {
        Attempt = envelope.Attempt + 1,
        History = [.. envelope.History ?? [], new AttemptRecord(now, outcome.GetType().Name, outcome.StatusCode, detail)],
    };

    /// <summary>Puts back the contact's undelivered steps and the contacts after it; delivered ones are not sent again.</summary>
    private async Task RequeueAsync(OperationEnvelope envelope, IReadOnlyList<OperationEnvelope> rest, TimeSpan delay, CancellationToken cancellationToken)
    {
        await queues.EnqueueAsync(OperationEnvelope.Pack([envelope, .. rest]), delay, cancellationToken).ConfigureAwait(false);
        // The drain wakes for it when it becomes visible, instead of leaving it to the 30-second backstop.
        wakeups.NoteDeferred(delay);
    }

    private async Task DeadLetterUnreadableAsync(OperationEnvelope? contact, string? rawMessage, string? error, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var record = new DeadLetterRecord
        {
            Envelope = contact,
            RawMessage = contact is null ? rawMessage : null,
            ReasonClass = DeadLetterReasons.Unreadable,
            Reason = error ?? "unreadable",
            DeadLetteredAt = now,
        };
        await deadLetters.AddAsync(record, cancellationToken).ConfigureAwait(false);
        telemetry.DeadLettered(DeadLetterReasons.Unreadable, contact?.Lane, now);
        LogUnreadable(logger, error ?? "unreadable");
        if (contact is not null)
        {
            await NotifyDeadLetteredAsync(contact, record, cancellationToken).ConfigureAwait(false);
            await SettleAsync(contact, new Settlement(SettlementKind.DeadLettered, [], Reason: $"{DeadLetterReasons.Unreadable}: {record.Reason}"), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task NotifyDeadLetteredAsync(OperationEnvelope contact, DeadLetterRecord record, CancellationToken cancellationToken)
    {
        foreach (var observer in observers)
        {
            await observer.OnDeadLetteredAsync(contact, record, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeadLetterAsync(OperationEnvelope envelope, string reasonClass, string reason, LibromiOutcome outcome, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var record = new DeadLetterRecord
        {
            Envelope = envelope,
            ReasonClass = reasonClass,
            Reason = reason,
            StatusCode = outcome.StatusCode,
            LibromiAnswer = outcome.ResponseBody,
            FieldErrors = (outcome as LibromiOutcome.Rejected)?.FieldErrors,
            DeadLetteredAt = now,
        };
        await deadLetters.AddAsync(record, cancellationToken).ConfigureAwait(false);
        telemetry.DeadLettered(reasonClass, envelope.Lane, now);
        LogDeadLettered(logger, envelope.OperationId, reasonClass, reason);
        await NotifyDeadLetteredAsync(envelope, record, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 2001, EventName = "OperationDelivered", Level = LogLevel.Information, Message = "Delivered {OperationId} ({StepCount} steps) from {Source} to Libromi")]
    private static partial void LogDelivered(ILogger logger, string operationId, int stepCount, string source);

    [LoggerMessage(EventId = 2002, EventName = "LibromiRateLimited", Level = LogLevel.Warning, Message = "Libromi rate-limited {OperationId}; all sending pauses for {PauseSeconds} s (server hint: {HadHint})")]
    private static partial void LogRateLimited(ILogger logger, string operationId, double pauseSeconds, bool hadHint);

    [LoggerMessage(EventId = 2003, EventName = "LibromiCircuitOpened", Level = LogLevel.Error, Message = "Libromi rejected the API token ({StatusCode}): {Reason}. Sending stops and the backlog is kept until the token works again")]
    private static partial void LogAuthFault(ILogger logger, int statusCode, string reason);

    [LoggerMessage(EventId = 2004, EventName = "OperationRetried", Level = LogLevel.Warning, Message = "Transient failure {Attempt} for {OperationId}; retrying in {DelaySeconds} s: {Reason}")]
    private static partial void LogTransient(ILogger logger, string operationId, int attempt, double delaySeconds, string reason);

    [LoggerMessage(EventId = 2005, EventName = "OperationDeadLettered", Level = LogLevel.Error, Message = "Dead-lettered {OperationId} ({ReasonClass}): {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string operationId, string reasonClass, string reason);

    [LoggerMessage(EventId = 2007, EventName = "OperationsCoalesced", Level = LogLevel.Information, Message = "Merged {Count} queued operations for one contact (first {OperationId}) into one attribute update ({CallsSaved} calls saved)")]
    private static partial void LogCoalesced(ILogger logger, int count, string operationId, int callsSaved);

    [LoggerMessage(EventId = 2008, EventName = "CoalescedCallRejected", Level = LogLevel.Warning, Message = "Libromi refused {Count} merged attribute updates ({Reason}); sending them one by one")]
    private static partial void LogCoalescedRejected(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 2009, EventName = "PauseNotShared", Level = LogLevel.Warning, Message = "Could not tell other instances about the pause ({Failure}); they will pause on their own 429")]
    private static partial void LogPauseNotShared(ILogger logger, string failure);

    [LoggerMessage(EventId = 2010, EventName = "RetryingWithReplacedToken", Level = LogLevel.Information, Message = "Libromi refused the API token and the secret store holds a new one; sending again with it once a {Lane} permit is free")]
    private static partial void LogRetryingWithReplacedToken(ILogger logger, Lane lane);

    [LoggerMessage(EventId = 2011, EventName = "ScenarioRateLimited", Level = LogLevel.Warning, Message = "A scenario URL rate-limited {OperationId}; scenario calls (only) wait {PauseSeconds} s")]
    private static partial void LogScenarioRateLimited(ILogger logger, string operationId, double pauseSeconds);

    [LoggerMessage(EventId = 2006, EventName = "MessageUnreadable", Level = LogLevel.Error, Message = "Dead-lettered an unreadable message: {Error}")]
    private static partial void LogUnreadable(ILogger logger, string error);
}

public enum ProcessingResult
{
    Delivered,
    /// <summary>Put back without counting an attempt (rate limit, pause, rejected token).</summary>
    Deferred,
    /// <summary>Put back after a transient failure, attempt counted.</summary>
    Retried,
    DeadLettered,
}
