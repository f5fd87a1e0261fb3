using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Mime;
using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.Operations;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Libromi.Gateway.Libromi;

/// <summary>
/// Typed client for the three Libromi Connect calls the gateway makes. Thread-safe. Every call returns a
/// <see cref="LibromiOutcome"/>; exceptions escape only for cancellation by the caller and for bugs.
/// In-process retries of transient faults, per-attempt and total timeouts and the circuit breaker live in
/// the HTTP pipeline (see <see cref="Hosting.LibromiServiceCollectionExtensions"/>); a 429 is never retried here,
/// because the whole gateway must pause, not just this call. Every contact answer it receives teaches
/// <see cref="AttributeTypeCatalog"/> the attribute definitions it shows, at no extra request.
/// </summary>
public sealed partial class LibromiClient(
    HttpClient httpClient,
    ILibromiTokenProvider tokenProvider,
    AttributeTypeCatalog attributeTypes,
    TimeProvider timeProvider,
    ILogger<LibromiClient> logger)
{
    /// <summary>
    /// The lane of the operation a request belongs to, set on every request: the rate-limiting step of the HTTP
    /// pipeline reads it to give realtime work its priority.
    /// </summary>
    internal static readonly HttpRequestOptionsKey<Lane> LaneOption = new("libromi.lane");

    /// <summary><c>GET /contact/{phone}</c>: Libromi creates the contact when it does not exist.</summary>
    public async Task<LibromiOutcome> GetOrCreateContactAsync(PhoneNumber phoneNumber, Lane lane, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, $"contact/{phoneNumber.Digits}", body: null, lane, cancellationToken).ConfigureAwait(false)).Outcome;

    /// <summary>
    /// <c>GET /contact/{phone}</c> for the attribute definitions the answer shows (also learned by
    /// <see cref="AttributeTypeCatalog"/>). Like any call, the caller takes a rate-limit permit first; Libromi creates
    /// the contact when it does not exist.
    /// </summary>
    public async Task<(LibromiOutcome Outcome, IReadOnlyList<AttributeDefinition> Definitions)> ReadAttributeDefinitionsAsync(
        PhoneNumber phoneNumber, Lane lane, CancellationToken cancellationToken = default)
    {
        var answer = await SendAsync(HttpMethod.Get, $"contact/{phoneNumber.Digits}", body: null, lane, cancellationToken).ConfigureAwait(false);
        return (answer.Outcome, answer.Definitions);
    }

    /// <summary><c>PUT /contact/{phone}/attributes</c>; null or "" removes an attribute.</summary>
    public async Task<LibromiOutcome> UpdateAttributesAsync(PhoneNumber phoneNumber, JsonObject attributes, Lane lane, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Put, $"contact/{phoneNumber.Digits}/attributes", attributes.ToJsonString(), lane, cancellationToken).ConfigureAwait(false)).Outcome;

    /// <summary><c>PUT /conversation/assign-staff</c>: reassigns the contact's most recent conversation.</summary>
    public async Task<LibromiOutcome> AssignStaffAsync(PhoneNumber phoneNumber, string staffEmail, Lane lane, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["phone_number"] = phoneNumber.Digits, ["username"] = staffEmail };
        return (await SendAsync(HttpMethod.Put, "conversation/assign-staff", body.ToJsonString(), lane, cancellationToken).ConfigureAwait(false)).Outcome;
    }

    /// <summary>
    /// Runs one queued step for <paramref name="phoneNumber"/>. The <paramref name="lane"/> is the one the operation
    /// came from: an in-process retry of the call takes its permit in that lane, so a bulk retry never jumps realtime.
    /// </summary>
    public Task<LibromiOutcome> ExecuteAsync(PhoneNumber phoneNumber, OperationStep step, Lane lane, CancellationToken cancellationToken = default) => step.Kind switch
    {
        OperationKind.EnsureContact => GetOrCreateContactAsync(phoneNumber, lane, cancellationToken),
        OperationKind.UpdateAttributes => UpdateAttributesAsync(phoneNumber, step.Attributes ?? [], lane, cancellationToken),
        OperationKind.AssignStaff => AssignStaffAsync(phoneNumber, step.StaffEmail ?? string.Empty, lane, cancellationToken),
        _ => throw new UnreachableException($"Unknown operation kind {step.Kind}."),
    };

    private async Task<Answer> SendAsync(HttpMethod method, string path, string? body, Lane lane, CancellationToken cancellationToken)
    {
        var (token, unavailable) = await ReadTokenAsync(() => tokenProvider.GetTokenAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return new Answer(unavailable!, []);
        }

        var answer = await SendOnceAsync(method, path, body, token, lane, cancellationToken).ConfigureAwait(false);
        if (answer.Outcome is not LibromiOutcome.AuthFault fault)
        {
            return answer;
        }

        // docs/libromi-api.md: on 401/403 re-read the token once (it may have been rotated). Sending again is another
        // request against the account's limit, so it is left to the caller, who takes a permit for it first; the
        // next call picks up the re-read token from the provider's cache.
        var (refreshed, _) = await ReadTokenAsync(() => tokenProvider.RefreshAfterRejectionAsync(token, cancellationToken), cancellationToken).ConfigureAwait(false);
        return new Answer(refreshed is not null && !string.Equals(refreshed, token, StringComparison.Ordinal)
            ? fault with { TokenReplaced = true }
            : fault, []);
    }

    /// <summary>An outcome, and the attribute definitions a successful contact answer showed.</summary>
    private readonly record struct Answer(LibromiOutcome Outcome, IReadOnlyList<AttributeDefinition> Definitions);

    /// <summary>
    /// A missing token is a configuration fault (stop sending, keep the backlog, like a 401); an unreachable
    /// secret store is transient. Exception messages are not logged in case a store echoes input.
    /// </summary>
    private async Task<(string? Token, LibromiOutcome? Failure)> ReadTokenAsync(Func<ValueTask<string>> read, CancellationToken cancellationToken)
    {
        try
        {
            return (await read().ConfigureAwait(false), null);
        }
        catch (LibromiTokenNotConfiguredException exception)
        {
            LogTokenUnavailable(logger, exception.GetType().Name);
            return (null, new LibromiOutcome.AuthFault("No Libromi API token is configured (set the Key Vault secret, or Libromi__ApiToken locally)."));
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogTokenUnavailable(logger, exception.GetType().Name);
            return (null, new LibromiOutcome.Transient($"The Libromi API token could not be read from its secret store ({exception.GetType().Name})."));
        }
    }

    private async Task<Answer> SendOnceAsync(HttpMethod method, string path, string? body, string token, Lane lane, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Options.Set(LaneOption, lane);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, MediaTypeNames.Application.Json);
        }

        var started = timeProvider.GetTimestamp();
        try
        {
            using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var responseBody = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var outcome = LibromiResponseClassifier.Classify(response.StatusCode, response.Headers, responseBody, timeProvider.GetUtcNow());
            IReadOnlyList<AttributeDefinition> definitions = [];
            if (outcome is LibromiOutcome.Delivered && path.StartsWith("contact/", StringComparison.Ordinal))
            {
                // The whole answer, not the outcome's truncated copy: the definitions may sit past its end.
                definitions = AttributeDefinition.ReadFromContactAnswer(responseBody);
                attributeTypes.Learn(definitions);
            }
            LogAnswered(logger, method.Method, PathTemplate(path), (int)response.StatusCode, outcome.GetType().Name, timeProvider.GetElapsedTime(started).TotalMilliseconds);
            return new Answer(outcome, definitions);
        }
        catch (Exception exception) when (IsTransientFailure(exception, cancellationToken))
        {
            LogNoAnswer(logger, method.Method, PathTemplate(path), exception.GetType().Name, timeProvider.GetElapsedTime(started).TotalMilliseconds);
            return new Answer(new LibromiOutcome.Transient(exception switch
            {
                BrokenCircuitException => "The circuit to Libromi is open after repeated failures.",
                RateLimiterRejectedException => "No rate-limit permit was free for a retry; the operation goes back to its queue.",
                TimeoutRejectedException or TaskCanceledException => "Libromi did not answer in time.",
                _ => $"Libromi could not be reached ({exception.GetType().Name}).",
            }), []);
        }
    }

    private static bool IsTransientFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        HttpRequestException or TimeoutRejectedException or BrokenCircuitException or TaskCanceledException or RateLimiterRejectedException => true,
        _ => false,
    };

    // Logs name the endpoint, not the contact: phone numbers are personal data.
    private static string PathTemplate(string path) => path switch
    {
        _ when path.EndsWith("/attributes", StringComparison.Ordinal) => "contact/{phone}/attributes",
        _ when path.StartsWith("contact/", StringComparison.Ordinal) => "contact/{phone}",
        _ => path,
    };

    [LoggerMessage(EventId = 1001, EventName = "LibromiAnswered", Level = LogLevel.Debug,
        Message = "Libromi answered {Method} {Endpoint} with {StatusCode} ({Outcome}) in {ElapsedMs} ms")]
    private static partial void LogAnswered(ILogger logger, string method, string endpoint, int statusCode, string outcome, double elapsedMs);

    [LoggerMessage(EventId = 1002, EventName = "LibromiNoAnswer", Level = LogLevel.Warning,
        Message = "Libromi gave no answer to {Method} {Endpoint} ({Failure}) after {ElapsedMs} ms")]
    private static partial void LogNoAnswer(ILogger logger, string method, string endpoint, string failure, double elapsedMs);

    [LoggerMessage(EventId = 1003, EventName = "LibromiTokenUnavailable", Level = LogLevel.Error,
        Message = "The Libromi API token could not be read ({Failure}); the operation will be retried")]
    private static partial void LogTokenUnavailable(ILogger logger, string failure);
}
