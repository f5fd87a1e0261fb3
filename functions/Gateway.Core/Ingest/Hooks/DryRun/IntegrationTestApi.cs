using Libromi.Gateway.Configuration;
using Libromi.Gateway.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Ingest.Hooks.DryRun;

/// <summary>
/// <c>POST /api/integrations/{name}/test</c> (admin key): a dry run of an integration on a sample delivery
/// (<see cref="DryRunInput"/>). Both hosts map this handler. Problems of the request itself are 4xx problem+json;
/// whatever the sample comes to (even a delivery that would be refused) is a 200 report.
/// </summary>
public static class IntegrationTestApi
{
    // Deep enough for any sender's payload inside the sample, as the hook route allows.
    private const int MaxDepth = 72;

    public static async Task<IResult> TestAsync(
        string name, HttpRequest request, IntegrationDryRunner runner, IOptions<GatewayOptions> gateway, CancellationToken cancellationToken)
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

        return await runner.RunAsync(name, input, hookUrl, cancellationToken).ConfigureAwait(false) switch
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
