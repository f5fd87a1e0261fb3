using System.Diagnostics.CodeAnalysis;
using Libromi.Gateway.Configuration;
using Libromi.Gateway.Http;
using Libromi.Gateway.Ingest;
using Libromi.Gateway.Trail;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// <c>POST /api/hooks/{integration}</c>: anonymous at the HTTP level, authenticated by the integration's verification
/// scheme. Both hosts map this handler; <see cref="WebhookIngestor"/> holds the behaviour.
/// </summary>
public static class WebhooksApi
{
    private const int SecretRetryAfterSeconds = 30;

    /// <summary>Answer header naming the delivery in the delivery log (<c>GET /api/deliveries/{id}</c>).</summary>
    public const string DeliveryIdHeader = "x-delivery-id";

    /// <summary>
    /// Every answer but the 404 of an unknown integration carries <see cref="DeliveryIdHeader"/>; underneath it is the
    /// answer of <see cref="ToResult"/> (or a 413/400 problem when the body or Host header was refused before ingest).
    /// </summary>
    public static async Task<Results<ProblemHttpResult, WithHeaderResult<ProblemHttpResult>, WithHeaderResult<Results<JsonHttpResult<HookAnswer>, ProblemHttpResult, WithHeaderResult<ProblemHttpResult>>>>> AcceptAsync(
        string integration, HttpRequest request, WebhookIngestor hooks, DeliveryLog deliveryLog, IOptions<GatewayOptions> gateway, CancellationToken cancellationToken)
    {
        // The same answer for every unknown name: the route must not tell a prober which integrations exist. Nor is it
        // logged: anyone can send to any name, and the log is for deliveries of integrations the gateway serves.
        if (!hooks.TryGetIntegration(integration, out var definition))
        {
            return Problems.NotFound("No integration is configured under this name.");
        }
        var delivery = deliveryLog.NewDelivery();

        var (body, tooLarge) = await BoundedBodyReader.ReadAsync(request, gateway.Value.MaxRequestBodyBytes, cancellationToken).ConfigureAwait(false);
        if (tooLarge is not null)
        {
            deliveryLog.Record(delivery, new DeliveryRecord(definition!.Name, DeliveryOutcomes.TooLarge, StatusCodes.Status413PayloadTooLarge,
                "not_checked", null, false, 0, 0, [], request.ContentType, null));
            return Problems.WithHeader(tooLarge, DeliveryIdHeader, delivery.Id);
        }

        if (ToWebhookRequest(request, body!) is not { } webhookRequest)
        {
            deliveryLog.Record(delivery, new DeliveryRecord(definition!.Name, DeliveryOutcomes.Malformed, StatusCodes.Status400BadRequest,
                "not_checked", null, false, 0, 0, [], request.ContentType, body));
            return Problems.WithHeader(Problems.MalformedHost(), DeliveryIdHeader, delivery.Id);
        }
        var outcome = await hooks.IngestAsync(definition!, webhookRequest, CanonicalOperationsApi.CorrelationIdFrom(request), cancellationToken, delivery.Id).ConfigureAwait(false);
        deliveryLog.Record(delivery, ToDeliveryRecord(definition!.Name, outcome, request.ContentType, body));
        return Problems.WithHeader(ToResult(outcome, definition!), DeliveryIdHeader, delivery.Id);
    }

    /// <summary>What the delivery log keeps of an answered delivery: no header, no query string, the body as received.</summary>
    public static DeliveryRecord ToDeliveryRecord(string integration, HookOutcome outcome, string? contentType, byte[]? body)
    {
        const string Verified = "verified";
        return outcome switch
        {
            HookOutcome.Accepted a => new(integration, DeliveryOutcomes.Accepted, StatusCodes.Status202Accepted, Verified, null, a.Duplicates > 0, a.Duplicates, a.Ignored, a.OperationIds, contentType, body),
            HookOutcome.Duplicate d => new(integration, DeliveryOutcomes.Duplicate, StatusCodes.Status200OK, Verified, null, true, d.Duplicates, d.Ignored, [], contentType, body),
            HookOutcome.Unverified u => new(integration, DeliveryOutcomes.Unverified, StatusCodes.Status401Unauthorized, "failed", u.Failure.ReasonCode, false, 0, 0, [], contentType, body),
            HookOutcome.SecretUnavailable => new(integration, DeliveryOutcomes.SecretUnavailable, StatusCodes.Status503ServiceUnavailable, "secret_unavailable", VerificationResult.SecretUnavailable.ReasonCode, false, 0, 0, [], contentType, body),
            HookOutcome.Malformed m => new(integration, DeliveryOutcomes.Malformed,
                m.Problem.Reason == MalformedBodyReason.UnsupportedContentType ? StatusCodes.Status415UnsupportedMediaType : StatusCodes.Status400BadRequest, Verified, null, false, 0, 0, [], contentType, body),
            HookOutcome.Invalid => new(integration, DeliveryOutcomes.Invalid, StatusCodes.Status422UnprocessableEntity, Verified, null, false, 0, 0, [], contentType, body),
            HookOutcome.TooManyItems => new(integration, DeliveryOutcomes.TooManyItems, StatusCodes.Status422UnprocessableEntity, Verified, null, false, 0, 0, [], contentType, body),
            HookOutcome.OperationTooLarge => new(integration, DeliveryOutcomes.TooLarge, StatusCodes.Status413PayloadTooLarge, Verified, null, false, 0, 0, [], contentType, body),
            HookOutcome.StorageUnavailable => new(integration, DeliveryOutcomes.StorageUnavailable, StatusCodes.Status503ServiceUnavailable, Verified, null, false, 0, 0, [], contentType, body),
            _ => throw new InvalidOperationException($"Unknown outcome {outcome.GetType().Name}."),
        };
    }

    /// <summary>
    /// The request as received: raw bytes, path and query as sent, headers case-insensitive. Null when the Host header
    /// does not make a URL (<c>a..b</c>, a port past 65535): the sender controls it, so it is refused, never thrown on.
    /// </summary>
    public static WebhookRequest? ToWebhookRequest(HttpRequest request, byte[] body)
    {
        if (!TryGetRequestUri(request, out var requestUri))
        {
            return null;
        }
        var headers = new WebhookHeaders(request.Headers.SelectMany(
            header => header.Value.Select(value => KeyValuePair.Create(header.Key, value ?? ""))));
        return new WebhookRequest(
            request.Method,
            (request.PathBase + request.Path).ToUriComponent(),
            request.QueryString.ToUriComponent(),
            headers,
            body,
            request.ContentType,
            requestUri);
    }

    private static bool TryGetRequestUri(HttpRequest request, [NotNullWhen(true)] out Uri? uri)
    {
        uri = null;
        try
        {
            // Reading the host decodes punycode, which throws ArgumentException on an invalid label (xn--);
            // Uri refuses what it cannot parse (a..b, a port past 65535).
            return request.Host.HasValue && Uri.TryCreate(request.GetEncodedUrl(), UriKind.Absolute, out uri) && !string.IsNullOrEmpty(uri.Host);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The answer to an ingested delivery: its JSON (202, or 200 for a duplicate), else a problem, some with a header (Retry-After, WWW-Authenticate).</summary>
    public static Results<JsonHttpResult<HookAnswer>, ProblemHttpResult, WithHeaderResult<ProblemHttpResult>> ToResult(HookOutcome outcome, IntegrationDefinition integration) => outcome switch
    {
        HookOutcome.Accepted accepted => TypedResults.Json(
            new HookAnswer(accepted.OperationIds, accepted.Ignored, accepted.Duplicates), statusCode: StatusCodes.Status202Accepted),
        HookOutcome.Duplicate duplicate => TypedResults.Json(
            new HookAnswer([], duplicate.Ignored, duplicate.Duplicates, Duplicate: true), statusCode: StatusCodes.Status200OK),
        // Senders of a scheme with a challenge (Basic) expect it on the 401.
        HookOutcome.Unverified unverified when integration.Verification.SchemeType.Challenge is { } challenge =>
            Problems.WithHeader(Unverified(unverified.Failure), "WWW-Authenticate", challenge),
        HookOutcome.Unverified unverified => Unverified(unverified.Failure),
        HookOutcome.SecretUnavailable => Problems.WithRetryAfter(
            Problems.Problem(StatusCodes.Status503ServiceUnavailable, "webhook-secret-unavailable", "Cannot verify deliveries",
                "The gateway cannot read this integration's verification secret right now, so the delivery was not accepted. Retry later.",
                new Dictionary<string, object?> { ["scheme"] = integration.Verification.Scheme, ["reason"] = VerificationResult.SecretUnavailable.ReasonCode }),
            SecretRetryAfterSeconds),
        HookOutcome.Malformed { Problem.Reason: MalformedBodyReason.UnsupportedContentType } malformed =>
            Problems.Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type", malformed.Problem.Detail),
        HookOutcome.Malformed malformed =>
            Problems.Problem(StatusCodes.Status400BadRequest, "malformed-body", "Malformed body", malformed.Problem.Detail),
        HookOutcome.Invalid invalid => TypedResults.Problem(new HttpValidationProblemDetails(invalid.Errors.ToDictionary())
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Type = "https://libromi-gateway.dev/problems/validation",
            Title = "Invalid delivery",
            Detail = "The delivery cannot be mapped to Libromi operations; nothing was accepted.",
        }),
        HookOutcome.TooManyItems tooMany => Problems.Problem(StatusCodes.Status422UnprocessableEntity, "too-many-items", "Too many items",
            $"The delivery holds {tooMany.Count} items; at most {tooMany.Limit} are accepted in one delivery. Split it; nothing was accepted.",
            new Dictionary<string, object?> { ["limit"] = tooMany.Limit, ["count"] = tooMany.Count }),
        HookOutcome.OperationTooLarge tooLarge => Problems.OperationTooLarge(tooLarge.JsonBytes, tooLarge.LimitBytes,
            tooLarge.ItemIndex >= 0 ? $"The operation of items[{tooLarge.ItemIndex}]" : null),
        HookOutcome.StorageUnavailable => Problems.StorageUnavailable(),
        _ => throw new InvalidOperationException($"Unknown outcome {outcome.GetType().Name}."),
    };

    // Names the scheme and the reason class; the verifier's detail names headers and tolerances, never a value.
    private static ProblemHttpResult Unverified(VerificationResult.Failed failure) =>
        Problems.Problem(StatusCodes.Status401Unauthorized, "webhook-verification-failed", "Webhook verification failed",
            $"The delivery failed {failure.Scheme} verification ({failure.ReasonCode}): {failure.Detail}.",
            new Dictionary<string, object?> { ["scheme"] = failure.Scheme, ["reason"] = failure.ReasonCode });
}

/// <summary>The 202 (and duplicate 200) body of the hook route.</summary>
public sealed record HookAnswer(
    IReadOnlyList<string> OperationIds,
    int Ignored,
    int Duplicates,
    bool Duplicate = false);
