using Libromi.Gateway.Libromi;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Scenarios;

/// <summary>
/// Sends one <see cref="OperationKind.TriggerScenario"/> step at most once (or at least once, per scenario): reads
/// the step's intent row, takes a scenario permit, resolves the URL from the secret store, records the intent,
/// POSTs, records the outcome. What to do with the work afterwards is <c>DeliveryPolicy.DecideScenario</c>'s call.
/// </summary>
public sealed partial class ScenarioSender(
    ScenarioIntents intents, ScenarioGate gate, ScenarioClient client, ISecretSource secrets, IOptions<ScenarioOptions> options, ILogger<ScenarioSender> logger)
{
    public async Task<ScenarioCall> SendAsync(OperationEnvelope contact, OperationStep step, CancellationToken cancellationToken)
    {
        var name = step.Scenario ?? string.Empty;
        if (!options.Value.Definitions.TryGetValue(name, out var definition))
        {
            return new ScenarioCall.Answered(new LibromiOutcome.Rejected($"no scenario named '{name}' is configured any more", null));
        }
        var ordinal = step.Ordinal ?? 0;
        switch (await intents.ReadAsync(contact.OperationId, ordinal, cancellationToken).ConfigureAwait(false))
        {
            case ScenarioIntentState.Delivered:
                // Sent by an earlier run that stopped before the message was acknowledged.
                LogAlreadyDelivered(logger, contact.OperationId, name);
                return new ScenarioCall.AlreadyDelivered();
            case ScenarioIntentState.Pending when definition.Mode == ScenarioDelivery.AtMostOnce:
                LogOutcomeUnknown(logger, contact.OperationId, name);
                return new ScenarioCall.OutcomeUnknown();
            case ScenarioIntentState.Pending:
                LogSendingAgain(logger, contact.OperationId, name);
                break;
        }

        var url = await ResolveUrlAsync(definition.Secret, cancellationToken).ConfigureAwait(false);
        if (url is null)
        {
            return new ScenarioCall.Answered(new LibromiOutcome.Transient($"the secret '{definition.Secret}' holding the scenario's URL is missing or not an http(s) URL"));
        }
        if (await gate.WaitForPermitAsync(contact.Lane, cancellationToken).ConfigureAwait(false) is { } wait)
        {
            return new ScenarioCall.NoPermit(wait);
        }

        await intents.RecordIntentAsync(contact.OperationId, ordinal, name, cancellationToken).ConfigureAwait(false);
        // Past this line a stop before RecordOutcomeAsync leaves the intent pending: the case this class exists for.
        var outcome = await client.PostAsync(url, step.Body ?? [], cancellationToken).ConfigureAwait(false);
        await intents.RecordOutcomeAsync(contact.OperationId, ordinal, outcome is LibromiOutcome.Delivered, CancellationToken.None).ConfigureAwait(false);
        LogPosted(logger, contact.OperationId, name, outcome.StatusCode ?? 0, outcome.GetType().Name);
        return new ScenarioCall.Answered(outcome);
    }

    /// <summary>A 429 from a scenario URL pauses scenario calls only.</summary>
    public Task PauseAsync(DateTimeOffset until, CancellationToken cancellationToken) => gate.PauseAsync(until, cancellationToken);

    private async Task<Uri?> ResolveUrlAsync(string secretName, CancellationToken cancellationToken)
    {
        try
        {
            var value = await secrets.GetSecretAsync(secretName, cancellationToken).ConfigureAwait(false);
            return Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp) ? url : null;
        }
        catch (SecretStoreUnavailableException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 12002, EventName = "ScenarioPosted", Level = LogLevel.Information, Message = "Triggered scenario {Scenario} for {OperationId}: {StatusCode} ({Outcome})")]
    private static partial void LogPosted(ILogger logger, string operationId, string scenario, int statusCode, string outcome);

    [LoggerMessage(EventId = 12003, EventName = "ScenarioAlreadyDelivered", Level = LogLevel.Information, Message = "Scenario {Scenario} of {OperationId} was already delivered by an earlier run; not sent again")]
    private static partial void LogAlreadyDelivered(ILogger logger, string operationId, string scenario);

    [LoggerMessage(EventId = 12004, EventName = "ScenarioOutcomeUnknown", Level = LogLevel.Warning,
        Message = "Scenario {Scenario} of {OperationId} was POSTed by a run that stopped before its answer was recorded; at_most_once: not sent again, dead-lettered as outcome_unknown")]
    private static partial void LogOutcomeUnknown(ILogger logger, string operationId, string scenario);

    [LoggerMessage(EventId = 12005, EventName = "ScenarioSentAgain", Level = LogLevel.Warning,
        Message = "Scenario {Scenario} of {OperationId} was POSTed by a run that stopped before its answer was recorded; at_least_once: sending again (possibly a duplicate message)")]
    private static partial void LogSendingAgain(ILogger logger, string operationId, string scenario);
}

/// <summary>What one scenario step came to, before the delivery policy decides about the work.</summary>
public abstract record ScenarioCall
{
    private ScenarioCall() { }

    /// <summary>The URL answered (or failed to): classified like a Libromi call.</summary>
    public sealed record Answered(LibromiOutcome Outcome) : ScenarioCall;

    /// <summary>No permit in time: nothing was sent.</summary>
    public sealed record NoPermit(TimeSpan Wait) : ScenarioCall;

    /// <summary>An earlier run delivered it: nothing to do.</summary>
    public sealed record AlreadyDelivered : ScenarioCall;

    /// <summary>An earlier run POSTed and stopped before recording the answer; under at_most_once, not sent again.</summary>
    public sealed record OutcomeUnknown : ScenarioCall;
}
