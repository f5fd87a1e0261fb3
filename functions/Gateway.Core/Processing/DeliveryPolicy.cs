using Libromi.Gateway.Libromi;
using Libromi.Gateway.Operations;
using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.Processing;

/// <summary>
/// The rules of delivery, as one pure function: given what became of a call (or that no permit came), the envelope
/// and the account's recent 429s, what happens to the work and to sending as a whole. No I/O and no clock of its own,
/// so every rule is a unit test; <see cref="OperationProcessor"/> carries the decision out.
/// </summary>
public static class DeliveryPolicy
{
    /// <param name="outcome">Libromi's answer, classified.</param>
    /// <param name="envelope">The work the step belongs to; its <see cref="OperationEnvelope.Attempt"/> counts transient failures so far.</param>
    /// <param name="consecutiveRateLimits">429s in a row without a success in between, across the instance.</param>
    /// <param name="jitter">A draw in [0, 1) that spreads retry delays; the caller supplies it.</param>
    public static DeliveryDecision Decide(LibromiOutcome outcome, OperationEnvelope envelope, int consecutiveRateLimits, ProcessingOptions settings, DateTimeOffset now, double jitter)
    {
        switch (outcome)
        {
            case LibromiOutcome.Delivered:
                return new DeliveryDecision.Continue();

            case LibromiOutcome.RateLimited limited:
                // Not the message's fault: everyone pauses, the work goes back, no attempt is counted.
                var pause = limited.RetryAfter ?? Backoff.Exponential(settings.RateLimitedFallbackPause, consecutiveRateLimits, settings.BackoffMax);
                return new DeliveryDecision.Pause(now + pause, Capped(pause, settings), ServerHint: limited.RetryAfter is not null);

            case LibromiOutcome.AuthFault fault:
                // A configuration fault: sending stops, the backlog stays, one probe per interval.
                return new DeliveryDecision.OpenCircuit(fault.Reason, Capped(settings.AuthProbeInterval, settings));

            case LibromiOutcome.Transient transient:
                var attempt = envelope.Attempt + 1;
                if (attempt >= settings.MaxAttempts)
                {
                    return new DeliveryDecision.DeadLetter(DeadLetterReasons.Exhausted,
                        $"Gave up after {attempt} transient failures; last: {transient.Reason}", SendingSignal.Unproven);
                }
                var delay = Backoff.ExponentialWithJitter(settings.BackoffBase, attempt - 1, settings.BackoffMax, jitter);
                return new DeliveryDecision.Retry(attempt, Capped(delay, settings), transient.Reason);

            case LibromiOutcome.Rejected rejected:
                // Libromi answered and refused the data: permanent for this message, and proof the account works.
                return new DeliveryDecision.DeadLetter(DeadLetterReasons.Rejected, rejected.Reason, SendingSignal.Healthy);

            default:
                throw new ArgumentOutOfRangeException(nameof(outcome), outcome.GetType().Name, "Unknown outcome.");
        }
    }

    /// <summary>
    /// The rules for a webhook scenario's answer. Unlike <see cref="Decide"/> nothing here touches the account's
    /// sending state: a scenario URL is not a contact endpoint, so its 429 waits out only scenario calls (the work
    /// goes back, no attempt counted) and its success proves nothing about the API token. 5xx and timeouts are
    /// retried with backoff; any 4xx is permanent (404/410: the scenario was deleted).
    /// </summary>
    public static DeliveryDecision DecideScenario(LibromiOutcome outcome, OperationEnvelope envelope, ProcessingOptions settings, DateTimeOffset now, double jitter) => outcome switch
    {
        LibromiOutcome.Delivered => new DeliveryDecision.Continue(),
        LibromiOutcome.RateLimited limited => new DeliveryDecision.AwaitPermit(Capped(limited.RetryAfter ?? settings.RateLimitedFallbackPause, settings)),
        LibromiOutcome.Rejected rejected => new DeliveryDecision.DeadLetter(DeadLetterReasons.Rejected, rejected.Reason, SendingSignal.None),
        LibromiOutcome.AuthFault fault => new DeliveryDecision.DeadLetter(DeadLetterReasons.Rejected, fault.Reason, SendingSignal.None),
        LibromiOutcome.Transient transient => Decide(transient, envelope, 0, settings, now, jitter) switch
        {
            DeliveryDecision.DeadLetter dead => new DeliveryDecision.DeadLetter(dead.ReasonClass, dead.Reason, SendingSignal.None),
            var retry => retry,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome.GetType().Name, "Unknown outcome."),
    };

    /// <summary>A redelivered scenario step whose earlier POST has no recorded answer, under at_most_once: never sent again.</summary>
    public static DeliveryDecision ScenarioOutcomeUnknown() => new DeliveryDecision.DeadLetter(DeadLetterReasons.OutcomeUnknown,
        "an earlier run POSTed this scenario and stopped before its answer was recorded; not sent again (at_most_once): check in Libromi whether the message went out", SendingSignal.None);

    /// <summary>No permit came within the gate's wait: nothing was sent, so the work goes back, no attempt counted.</summary>
    public static DeliveryDecision WithoutPermit(TimeSpan permitWait, ProcessingOptions settings) =>
        new DeliveryDecision.AwaitPermit(Capped(permitWait, settings));

    // A pause can be lifted early (a rotated token, another instance's success); a message hidden longer waits for nothing.
    private static TimeSpan Capped(TimeSpan delay, ProcessingOptions settings) =>
        delay < TimeSpan.Zero ? TimeSpan.Zero : delay < settings.MaxRequeueDelay ? delay : settings.MaxRequeueDelay;
}

/// <summary>What a decision tells the instance's <see cref="SendingState"/>.</summary>
public enum SendingSignal
{
    /// <summary>No call was made.</summary>
    None,
    /// <summary>Libromi answered normally: close the circuit, forget earlier 429s.</summary>
    Healthy,
    /// <summary>The call failed in a way that proves nothing about the account: release a probe if this was one.</summary>
    Unproven,
    /// <summary>A 429: pause all sending.</summary>
    Paused,
    /// <summary>The token was refused: stop sending until a probe succeeds.</summary>
    CircuitOpen,
}

/// <summary>The decision after one step: continue, put the work back (with or without counting an attempt), or dead-letter it.</summary>
public abstract record DeliveryDecision(SendingSignal Sending)
{
    /// <summary>The step was delivered; the next step may go.</summary>
    public sealed record Continue() : DeliveryDecision(SendingSignal.Healthy);

    /// <summary>429: every instance pauses until <paramref name="Until"/>; the work goes back after <paramref name="RequeueDelay"/>, no attempt counted.</summary>
    public sealed record Pause(DateTimeOffset Until, TimeSpan RequeueDelay, bool ServerHint) : DeliveryDecision(SendingSignal.Paused);

    /// <summary>401/403: sending stops; the work goes back after <paramref name="RequeueDelay"/> (one probe interval), no attempt counted.</summary>
    public sealed record OpenCircuit(string Reason, TimeSpan RequeueDelay) : DeliveryDecision(SendingSignal.CircuitOpen);

    /// <summary>No permit in time: the work goes back after <paramref name="RequeueDelay"/>, when capacity frees; no attempt counted.</summary>
    public sealed record AwaitPermit(TimeSpan RequeueDelay) : DeliveryDecision(SendingSignal.None);

    /// <summary>A transient failure: the work goes back after <paramref name="RequeueDelay"/> with <paramref name="Attempt"/> counted.</summary>
    public sealed record Retry(int Attempt, TimeSpan RequeueDelay, string Reason) : DeliveryDecision(SendingSignal.Unproven);

    /// <summary>Permanent for this message, or out of attempts: dead-letter the step and the steps after it.</summary>
    public sealed record DeadLetter(string ReasonClass, string Reason, SendingSignal Signal) : DeliveryDecision(Signal);
}
