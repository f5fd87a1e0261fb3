using Libromi.Gateway.Libromi;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Processing;

namespace Libromi.Gateway.Tests.Processing;

/// <summary>One test per row of the processing rules (README, "Failures classified"), at the production defaults.</summary>
public sealed class DeliveryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private static readonly ProcessingOptions Defaults = new();

    private static OperationEnvelope Envelope(int attempt = 0) => new()
    {
        OperationId = "op-1",
        PhoneNumber = "447700900123",
        Steps = [OperationStep.EnsureContact()],
        Source = "api",
        ReceivedAt = Now,
        CorrelationId = "c-1",
        Attempt = attempt,
    };

    private static DeliveryDecision Decide(LibromiOutcome outcome, int attempt = 0, int consecutiveRateLimits = 0, double jitter = 0.5) =>
        DeliveryPolicy.Decide(outcome, Envelope(attempt), consecutiveRateLimits, Defaults, Now, jitter);

    [Fact]
    public void A_2xx_continues_with_the_next_step_and_reports_the_account_healthy()
    {
        var decision = Decide(new LibromiOutcome.Delivered());

        Assert.IsType<DeliveryDecision.Continue>(decision);
        Assert.Equal(SendingSignal.Healthy, decision.Sending);
    }

    [Fact]
    public void A_429_with_a_server_hint_pauses_everyone_until_the_hint_and_requeues_without_an_attempt()
    {
        var pause = Assert.IsType<DeliveryDecision.Pause>(Decide(new LibromiOutcome.RateLimited(TimeSpan.FromSeconds(42)), attempt: 3));

        Assert.Equal(Now.AddSeconds(42), pause.Until);
        Assert.Equal(TimeSpan.FromSeconds(42), pause.RequeueDelay);
        Assert.True(pause.ServerHint);
        Assert.Equal(SendingSignal.Paused, pause.Sending);
    }

    [Theory]
    [InlineData(0, 30)]
    [InlineData(1, 60)]
    [InlineData(3, 240)]
    public void A_429_without_a_hint_pauses_for_the_fallback_doubled_per_429_in_a_row(int consecutive, int expectedSeconds)
    {
        var pause = Assert.IsType<DeliveryDecision.Pause>(Decide(new LibromiOutcome.RateLimited(null), consecutiveRateLimits: consecutive));

        Assert.Equal(Now.AddSeconds(expectedSeconds), pause.Until);
        Assert.False(pause.ServerHint);
    }

    [Fact]
    public void A_pause_longer_than_the_requeue_cap_hides_the_message_only_for_the_cap()
    {
        var pause = Assert.IsType<DeliveryDecision.Pause>(Decide(new LibromiOutcome.RateLimited(TimeSpan.FromHours(2))));

        Assert.Equal(Now.AddHours(2), pause.Until);
        Assert.Equal(Defaults.MaxRequeueDelay, pause.RequeueDelay);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public void A_refused_token_opens_the_circuit_and_requeues_for_one_probe_interval_without_an_attempt(int status)
    {
        var open = Assert.IsType<DeliveryDecision.OpenCircuit>(Decide(new LibromiOutcome.AuthFault("Unauthenticated.") { StatusCode = status }, attempt: 9));

        Assert.Equal("Unauthenticated.", open.Reason);
        Assert.Equal(Defaults.AuthProbeInterval, open.RequeueDelay);
        Assert.Equal(SendingSignal.CircuitOpen, open.Sending);
    }

    [Theory]
    [InlineData(0, 0.0, 5)]
    [InlineData(0, 0.999999, 10)]
    [InlineData(2, 0.0, 20)]
    [InlineData(2, 0.999999, 40)]
    public void A_transient_failure_counts_an_attempt_and_retries_after_jittered_exponential_backoff(int attemptsSoFar, double jitter, double expectedSeconds)
    {
        var retry = Assert.IsType<DeliveryDecision.Retry>(Decide(new LibromiOutcome.Transient("503 from Libromi"), attemptsSoFar, jitter: jitter));

        Assert.Equal(attemptsSoFar + 1, retry.Attempt);
        Assert.Equal(expectedSeconds, retry.RequeueDelay.TotalSeconds, precision: 3);
        Assert.Equal(SendingSignal.Unproven, retry.Sending);
    }

    [Fact]
    public void A_late_transient_failure_retries_no_later_than_the_requeue_cap()
    {
        var retry = Assert.IsType<DeliveryDecision.Retry>(Decide(new LibromiOutcome.Transient("timeout"), attempt: 8, jitter: 0.999));

        Assert.Equal(Defaults.MaxRequeueDelay, retry.RequeueDelay);
    }

    [Fact]
    public void The_last_allowed_transient_failure_dead_letters_as_exhausted()
    {
        var dead = Assert.IsType<DeliveryDecision.DeadLetter>(Decide(new LibromiOutcome.Transient("timeout"), attempt: Defaults.MaxAttempts - 1));

        Assert.Equal(DeadLetterReasons.Exhausted, dead.ReasonClass);
        Assert.Equal($"Gave up after {Defaults.MaxAttempts} transient failures; last: timeout", dead.Reason);
        Assert.Equal(SendingSignal.Unproven, dead.Sending);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(422)]
    public void A_refusal_of_the_data_dead_letters_at_once_with_the_reason_and_proves_the_account_works(int status)
    {
        var dead = Assert.IsType<DeliveryDecision.DeadLetter>(Decide(new LibromiOutcome.Rejected("Validation failed", null) { StatusCode = status }));

        Assert.Equal(DeadLetterReasons.Rejected, dead.ReasonClass);
        Assert.Equal("Validation failed", dead.Reason);
        Assert.Equal(SendingSignal.Healthy, dead.Sending);
    }

    [Fact]
    public void No_permit_in_time_requeues_for_when_capacity_frees_without_an_attempt_or_a_signal()
    {
        var wait = Assert.IsType<DeliveryDecision.AwaitPermit>(DeliveryPolicy.WithoutPermit(TimeSpan.FromSeconds(17), Defaults));

        Assert.Equal(TimeSpan.FromSeconds(17), wait.RequeueDelay);
        Assert.Equal(SendingSignal.None, wait.Sending);
    }
}
