using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Libromi.Gateway.Ingest;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Processing;
using Libromi.Gateway.Scenarios;

namespace Libromi.Gateway.Tests.Scenarios;

/// <summary>The pure rules of scenario triggers: the canonical body, the answer's classification, what happens to the work, the options' checks.</summary>
public sealed class ScenarioRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private static readonly Func<string, bool> OnlyOrderConfirmation = name => name == "order_confirmation";

    private static ParseResult Parse(string json) =>
        CanonicalRequestParser.ParseScenarioTrigger(Encoding.UTF8.GetBytes(json), null, OnlyOrderConfirmation);

    private static OperationEnvelope Envelope(int attempt = 0) => new()
    {
        OperationId = "op-1",
        PhoneNumber = "919876543210",
        Steps = [OperationStep.TriggerScenario("order_confirmation", [])],
        Source = "api",
        ReceivedAt = Now,
        CorrelationId = "c-1",
        Attempt = attempt,
    };

    [Fact]
    public void Trigger_becomes_one_scenario_step_whose_flat_body_ends_with_the_phone_number_in_digits()
    {
        var parsed = Parse("""{"scenario": "order_confirmation", "phone_number": "+91 98765 43210", "fields": {"name": "John", "order_id": "ORD-123", "total": 12.5, "vip": false}}""");

        var step = Assert.Single(parsed.Operations!.Steps);
        Assert.Equal(OperationKind.TriggerScenario, step.Kind);
        Assert.Equal("order_confirmation", step.Scenario);
        Assert.Equal("""{"name":"John","order_id":"ORD-123","total":12.5,"vip":false,"phone_number":"919876543210"}""", step.Body!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"scenario": "deal_won", "phone_number": "+919876543210"}""", "scenario")]
    [InlineData("""{"scenario": "bad name", "phone_number": "+919876543210"}""", "scenario")]
    [InlineData("""{"phone_number": "+919876543210"}""", "scenario")]
    [InlineData("""{"scenario": "order_confirmation", "phone_number": "+919876543210", "fields": {"address": {"city": "Pune"}}}""", "fields.address")]
    [InlineData("""{"scenario": "order_confirmation", "phone_number": "+919876543210", "fields": {"tags": ["a"]}}""", "fields.tags")]
    [InlineData("""{"scenario": "order_confirmation", "phone_number": "+919876543210", "fields": {"gone": null}}""", "fields.gone")]
    [InlineData("""{"scenario": "order_confirmation", "phone_number": "+919876543210", "fields": {"phone_number": "1"}}""", "fields.phone_number")]
    [InlineData("""{"scenario": "order_confirmation", "phone_number": "+919876543210", "fields": []}""", "fields")]
    [InlineData("""{"scenario": "order_confirmation", "phone_number": "12"}""", "phone_number")]
    [InlineData("""{"scenario": "order_confirmation", "phone_number": "+919876543210", "field": {}}""", "field")]
    public void Bad_trigger_is_refused_naming_the_field(string json, string field)
    {
        var parsed = Parse(json);

        Assert.Null(parsed.Operations);
        Assert.Contains(field, parsed.Errors!.Keys);
    }

    [Fact]
    public void Unconfigured_scenario_error_names_the_scenario_and_its_setting()
    {
        var errors = Parse("""{"scenario": "deal_won", "phone_number": "+919876543210"}""").Errors!;

        Assert.Contains("deal_won", errors["scenario"][0], StringComparison.Ordinal);
        Assert.Contains("Scenarios__Definitions__deal_won__Secret", errors["scenario"][0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, typeof(LibromiOutcome.Delivered))]
    [InlineData(204, typeof(LibromiOutcome.Delivered))]
    [InlineData(429, typeof(LibromiOutcome.RateLimited))]
    [InlineData(500, typeof(LibromiOutcome.Transient))]
    [InlineData(503, typeof(LibromiOutcome.Transient))]
    [InlineData(408, typeof(LibromiOutcome.Transient))]
    [InlineData(404, typeof(LibromiOutcome.Rejected))]
    [InlineData(410, typeof(LibromiOutcome.Rejected))]
    [InlineData(400, typeof(LibromiOutcome.Rejected))]
    [InlineData(401, typeof(LibromiOutcome.Rejected))]
    public void Scenario_answers_are_classified_by_status(int status, Type expected)
    {
        var outcome = ScenarioClient.Classify((HttpStatusCode)status, null, null);

        Assert.IsType(expected, outcome);
        Assert.Equal(status, outcome.StatusCode);
    }

    [Fact]
    public void A_deleted_scenario_says_so_in_its_reason()
    {
        var rejected = Assert.IsType<LibromiOutcome.Rejected>(ScenarioClient.Classify(HttpStatusCode.Gone, null, null));

        Assert.Equal("scenario URL not found: deleted in Libromi?", rejected.Reason);
    }

    [Fact]
    public void A_429_keeps_the_servers_retry_after()
    {
        var limited = Assert.IsType<LibromiOutcome.RateLimited>(ScenarioClient.Classify(HttpStatusCode.TooManyRequests, new RetryConditionHeaderValue(TimeSpan.FromSeconds(42)), null));

        Assert.Equal(TimeSpan.FromSeconds(42), limited.RetryAfter);
    }

    [Fact]
    public void An_answer_that_echoes_the_url_is_scrubbed_of_it()
    {
        var url = new Uri("https://hooks.example.test/webhook/3f9a0c7d2b");

        var scrubbed = ScenarioClient.Scrub("""{"error": "no flow at https://hooks.example.test/webhook/3f9a0c7d2b or /webhook/3f9a0c7d2b"}""", url);

        Assert.DoesNotContain("3f9a0c7d2b", scrubbed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scenario_429_puts_the_work_back_without_an_attempt_and_never_pauses_contact_calls()
    {
        var decision = DeliveryPolicy.DecideScenario(new LibromiOutcome.RateLimited(TimeSpan.FromSeconds(2)), Envelope(attempt: 3), new ProcessingOptions(), Now, 0.5);

        var wait = Assert.IsType<DeliveryDecision.AwaitPermit>(decision);
        Assert.Equal(TimeSpan.FromSeconds(2), wait.RequeueDelay);
        Assert.Equal(SendingSignal.None, decision.Sending);
    }

    [Fact]
    public void A_scenario_5xx_is_retried_with_backoff_and_dead_lettered_once_attempts_run_out()
    {
        var options = new ProcessingOptions();

        var retry = Assert.IsType<DeliveryDecision.Retry>(DeliveryPolicy.DecideScenario(new LibromiOutcome.Transient("500"), Envelope(attempt: 0), options, Now, 0.5));
        Assert.Equal(1, retry.Attempt);

        var dead = Assert.IsType<DeliveryDecision.DeadLetter>(DeliveryPolicy.DecideScenario(new LibromiOutcome.Transient("500"), Envelope(attempt: options.MaxAttempts - 1), options, Now, 0.5));
        Assert.Equal(DeadLetterReasons.Exhausted, dead.ReasonClass);
        Assert.Equal(SendingSignal.None, dead.Sending);
    }

    [Fact]
    public void A_scenario_4xx_is_dead_lettered_at_once_without_telling_the_sending_state()
    {
        var dead = Assert.IsType<DeliveryDecision.DeadLetter>(DeliveryPolicy.DecideScenario(new LibromiOutcome.Rejected(ScenarioClient.NotFoundReason, null), Envelope(), new ProcessingOptions(), Now, 0.5));

        Assert.Equal(DeadLetterReasons.Rejected, dead.ReasonClass);
        Assert.Equal(ScenarioClient.NotFoundReason, dead.Reason);
        Assert.Equal(SendingSignal.None, dead.Sending);
    }

    [Fact]
    public void An_unknown_outcome_is_dead_lettered_as_outcome_unknown()
    {
        var dead = Assert.IsType<DeliveryDecision.DeadLetter>(DeliveryPolicy.ScenarioOutcomeUnknown());

        Assert.Equal("outcome_unknown", dead.ReasonClass);
    }

    [Theory]
    [InlineData("order_confirmation", "secret-name", "at_most_once", true)]
    [InlineData("order_confirmation", "secret-name", "AT_LEAST_ONCE", true)]
    [InlineData("order confirmation", "secret-name", "at_most_once", false)]
    [InlineData("order_confirmation", "", "at_most_once", false)]
    [InlineData("order_confirmation", "secret-name", "exactly_once", false)]
    public void Options_accept_only_named_scenarios_with_a_secret_and_a_known_delivery(string name, string secret, string delivery, bool valid)
    {
        var options = new ScenarioOptions();
        options.Definitions[name] = new ScenarioDefinition { Secret = secret, Delivery = delivery };

        Assert.Equal(valid, options.Problem() is null);
    }

    [Fact]
    public void Delivery_defaults_to_at_most_once()
    {
        Assert.Equal(ScenarioDelivery.AtMostOnce, new ScenarioDefinition { Secret = "s" }.Mode);
        Assert.Equal(ScenarioDelivery.AtLeastOnce, new ScenarioDefinition { Secret = "s", Delivery = "at_least_once" }.Mode);
    }
}
