using Libromi.Gateway.Configuration;
using Libromi.Gateway.Http;
using Libromi.Gateway.Storage;
using Libromi.Gateway.Trail;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Webhooks.DryRun;

/// <summary>
/// <c>POST /api/integrations/{name}/test</c> (admin key): a dry run of an integration on a sample delivery
/// (<see cref="DryRunInput"/>). Both hosts map this handler. Problems of the request itself are 4xx problem+json;
/// whatever the sample comes to (even a delivery that would be refused) is a 200 report. With a <c>delivery_id</c>, the
/// sample is a delivery of the delivery log, read by the trail's own read (<see cref="TrailApi.ReadDeliveryWithBodyAsync"/>):
/// an unknown delivery is a 404, a storage fault a 503 with Retry-After, as on <c>GET /api/deliveries/{id}</c>.
/// </summary>
public static class IntegrationTestApi
{
    // Deep enough for any sender's payload inside the sample, as the hook route allows.
    private const int MaxDepth = 72;

    public static async Task<Results<JsonHttpResult<DryRunReport>, ValidationProblem, ProblemHttpResult, WithHeaderResult<ProblemHttpResult>>> TestAsync(
        string name, HttpRequest request, IntegrationDryRunner runner, IOptions<GatewayOptions> gateway,
        DeliveryLog deliveries, StorageDeadline storageDeadline, CancellationToken cancellationToken)
    {
        if (!BoundedBodyReader.HasMediaType(request, "application/json"))
        {
            return Problems.UnsupportedMediaType(request.ContentType, "application/json");
        }
        var (body, tooLarge) = await BoundedBodyReader.ReadAsync(request, gateway.Value.MaxRequestBodyBytes, cancellationToken).ConfigureAwait(false);
        if (tooLarge is not null)
        {
            return tooLarge;
        }
        if (!JsonText.TryParse(body, MaxDepth, out var root, out var malformed))
        {
            return Problems.MalformedJson($"The request body is not valid JSON: {malformed}");
        }
        if (!DryRunInput.TryRead(root, out var input, out var errors))
        {
            return Problems.Validation(errors, "The dry run request has invalid fields.");
        }
        if (HookUrl(request, name) is not { } hookUrl)
        {
            return Problems.MalformedHost();
        }

        LoggedDeliveryReport? logged = null;
        if (input.DeliveryId is { } deliveryId)
        {
            var (delivery, notFound, unavailable) = await TrailApi.ReadDeliveryWithBodyAsync(deliveryId, deliveries, storageDeadline, cancellationToken).ConfigureAwait(false);
            if (unavailable is not null)
            {
                return unavailable;
            }
            if (delivery is null)
            {
                return notFound!;
            }
            (input, logged) = FromLog(name, input, delivery);
        }

        return await runner.RunAsync(name, input, hookUrl, logged, cancellationToken).ConfigureAwait(false) switch
        {
            DryRunOutcome.Reported reported => TypedResults.Json(reported.Report, DryRunReport.JsonOptions),
            DryRunOutcome.UnknownIntegration => Problems.NotFound("No integration is configured under this name; send a draft \"definition\" to test a new one."),
            DryRunOutcome.InvalidDraft invalid => TypedResults.Problem(new HttpValidationProblemDetails(
                invalid.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Problem).ToArray()))
            {
                Status = StatusCodes.Status422UnprocessableEntity,
                Type = "https://libromi-gateway.dev/problems/invalid-definition",
                Title = "Invalid integration definition",
                Detail = $"The draft definition is invalid ({invalid.Errors.Count} error{(invalid.Errors.Count == 1 ? "" : "s")}): "
                    + string.Join("; ", invalid.Errors.Select(e => $"{e.Field}: {e.Problem}")),
            }),
            var other => throw new InvalidOperationException($"Unknown dry run outcome {other.GetType().Name}."),
        };
    }

    /// <summary>The logged body and media type as the sample, and what the report says of the delivery they came from.</summary>
    private static (DryRunInput Input, LoggedDeliveryReport Logged) FromLog(string name, DryRunInput input, DeliveryView delivery)
    {
        // The view gives the body as the log kept it: UTF-8 text, else base64 (not text, or cut inside a character).
        var body = delivery.Body is { } text ? System.Text.Encoding.UTF8.GetBytes(text)
            : delivery.BodyBase64 is { } base64 ? Convert.FromBase64String(base64)
            : [];
        var note = "Read from the delivery log, which keeps no headers: verification was skipped, and an identity the integration reads from a header falls back to the body's hash.";
        // A body the route refused as too large was never read, so the log holds none of it.
        var cut = delivery.BodyTruncated || delivery.BodyBytes is null;
        if (cut)
        {
            note += delivery.BodyBytes is { } size
                ? $" The log kept only the first {body.Length} of the body's {size} bytes, so it was not mapped."
                : " The log kept no body (the delivery was refused before its body was read), so nothing was mapped.";
        }
        if (!string.Equals(delivery.Integration, name, StringComparison.Ordinal))
        {
            note += $" The delivery was logged for integration \"{delivery.Integration}\", not \"{name}\".";
        }
        var logged = new LoggedDeliveryReport(delivery.DeliveryId, delivery.Integration, delivery.ReceivedAt, delivery.Outcome, delivery.ContentType,
            delivery.BodyBytes ?? body.Length, body.Length, cut, note);
        return (input with { Body = body, ContentType = delivery.ContentType }, logged);
    }

    /// <summary>Where a sender would post this integration's deliveries on this gateway; null when the Host header makes no URL.</summary>
    private static Uri? HookUrl(HttpRequest request, string name)
    {
        try
        {
            return request.Host.HasValue
                && Uri.TryCreate($"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}/api/hooks/{Uri.EscapeDataString(name)}", UriKind.Absolute, out var uri)
                ? uri
                : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
