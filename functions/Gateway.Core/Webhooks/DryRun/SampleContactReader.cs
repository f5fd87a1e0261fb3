using Libromi.Gateway.Libromi;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Processing;
using Libromi.Gateway.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Webhooks.DryRun;

/// <summary>
/// Reads the contact an author names in a dry run (<c>sample_phone</c>) from Libromi, so its attribute definitions are
/// learned before the mapped values are checked. The call is an ordinary Libromi request: it waits for a permit from
/// the same <see cref="DeliveryGate"/> (pause, account limiter, realtime lane) as every delivery, and it is not made
/// while sending is paused or the token is refused. A 429 it receives pauses sending like any other.
/// </summary>
public sealed partial class SampleContactReader(
    LibromiClient libromi,
    DeliveryGate gate,
    SendingState sendingState,
    ISharedPause sharedPause,
    IOptions<ProcessingOptions> processing,
    [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider,
    ILogger<SampleContactReader> logger)
{
    /// <summary>
    /// How long a dry run waits for a permit. Far shorter than a delivery's wait: an author is waiting on the answer,
    /// and a busy account should not hold the request for minutes; the report says no permit was free.
    /// </summary>
    public static readonly TimeSpan MaxPermitWait = TimeSpan.FromSeconds(10);

    public async Task<SampleContactReport> ReadAsync(string phoneText, string? defaultCountryCode, CancellationToken cancellationToken)
    {
        if (!PhoneNumber.TryParse(phoneText, defaultCountryCode, out var phone, out var error))
        {
            return new SampleContactReport("invalid_phone", $"sample_phone is not a phone number: {error}");
        }
        if (sendingState.Circuit.IsOpen)
        {
            return new SampleContactReport("circuit_open", "Libromi refuses the gateway's token, so sending is stopped; the sample contact was not read.");
        }

        using var permitWait = new CancellationTokenSource(MaxPermitWait, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, permitWait.Token);
        TimeSpan? notYet;
        try
        {
            notYet = await gate.WaitForPermitAsync(Lane.Realtime, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            notYet = MaxPermitWait;
        }
        if (notYet is { } wait)
        {
            return sendingState.PausedUntil > timeProvider.GetUtcNow()
                ? new SampleContactReport("paused", $"Libromi asked the gateway to pause sending; try again in about {Math.Ceiling(wait.TotalSeconds)} s.")
                : new SampleContactReport("no_permit", $"No rate-limit permit was free within {MaxPermitWait.TotalSeconds} s (deliveries use the account's quota); try again later.");
        }

        var (outcome, definitions) = await libromi.ReadAttributeDefinitionsAsync(phone.Value, Lane.Realtime, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case LibromiOutcome.Delivered:
                LogRead(logger, definitions.Count);
                return new SampleContactReport("read", $"Libromi showed {definitions.Count} attribute definitions on the sample contact.", definitions.Count);
            case LibromiOutcome.RateLimited limited:
                var until = timeProvider.GetUtcNow() + (limited.RetryAfter ?? processing.Value.RateLimitedFallbackPause);
                sendingState.PauseUntil(until);
                await PublishPauseAsync(until, cancellationToken).ConfigureAwait(false);
                return new SampleContactReport("paused", "Libromi answered 429; sending pauses, and the sample contact was not read.");
            default:
                return new SampleContactReport("failed", $"Libromi did not answer with the contact ({outcome.GetType().Name}{(outcome.StatusCode is { } status ? $", {status}" : "")}).");
        }
    }

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

    [LoggerMessage(EventId = 5140, EventName = "SampleContactRead", Level = LogLevel.Information,
        Message = "Read a dry run's sample contact from Libromi: {DefinitionCount} attribute definitions")]
    private static partial void LogRead(ILogger logger, int definitionCount);

    [LoggerMessage(EventId = 5141, EventName = "SampleContactPauseNotShared", Level = LogLevel.Warning,
        Message = "Could not share the pause after a 429 on a dry run's sample contact ({Failure})")]
    private static partial void LogPauseNotShared(ILogger logger, string failure);
}
