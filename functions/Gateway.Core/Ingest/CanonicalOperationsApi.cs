using Libromi.Gateway.Configuration;
using Libromi.Gateway.Http;
using Libromi.Gateway.Libromi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Scenarios;

namespace Libromi.Gateway.Ingest;

/// <summary>
/// <c>POST /api/contacts</c>, <c>POST /api/staff-assignments</c> and <c>POST /api/scenario-triggers</c>: validate, enqueue in the realtime lane,
/// answer 202 only once the message is stored. Hosts map these handlers; they hold no logic of their own.
/// </summary>
public static class CanonicalOperationsApi
{
    public const string CorrelationHeader = "x-correlation-id";

    public static Task<Results<JsonHttpResult<AcceptedOperation>, ValidationProblem, ProblemHttpResult, WithHeaderResult<ProblemHttpResult>>> AcceptContactAsync(
        HttpRequest request, OperationIngestor ingestor, IOptions<GatewayOptions> gateway, IOptions<LibromiClientOptions> libromi, CancellationToken cancellationToken) =>
        AcceptAsync(request, ingestor, gateway.Value, body => CanonicalRequestParser.ParseContact(body, libromi.Value.DefaultCountryCode), cancellationToken);

    public static Task<Results<JsonHttpResult<AcceptedOperation>, ValidationProblem, ProblemHttpResult, WithHeaderResult<ProblemHttpResult>>> AcceptStaffAssignmentAsync(
        HttpRequest request, OperationIngestor ingestor, IOptions<GatewayOptions> gateway, IOptions<LibromiClientOptions> libromi, CancellationToken cancellationToken) =>
        AcceptAsync(request, ingestor, gateway.Value, body => CanonicalRequestParser.ParseStaffAssignment(body, libromi.Value.DefaultCountryCode), cancellationToken);

    public static Task<Results<JsonHttpResult<AcceptedOperation>, ValidationProblem, ProblemHttpResult, WithHeaderResult<ProblemHttpResult>>> AcceptScenarioTriggerAsync(
        HttpRequest request, OperationIngestor ingestor, IOptions<GatewayOptions> gateway, IOptions<LibromiClientOptions> libromi, IOptions<ScenarioOptions> scenarios,
        CancellationToken cancellationToken) =>
        AcceptAsync(request, ingestor, gateway.Value,
            body => CanonicalRequestParser.ParseScenarioTrigger(body, libromi.Value.DefaultCountryCode, scenarios.Value.Definitions.ContainsKey), cancellationToken);

    /// <summary>202 with the operation id once stored; 415, 413, 400 (malformed or invalid) or 503 problems otherwise.</summary>
    private static async Task<Results<JsonHttpResult<AcceptedOperation>, ValidationProblem, ProblemHttpResult, WithHeaderResult<ProblemHttpResult>>> AcceptAsync(
        HttpRequest request, OperationIngestor ingestor, GatewayOptions options, Func<ReadOnlyMemory<byte>, ParseResult> parse, CancellationToken cancellationToken)
    {
        if (!BoundedBodyReader.HasMediaType(request, "application/json"))
        {
            return Problems.UnsupportedMediaType(request.ContentType, "application/json (UTF-8)");
        }
        var (body, problem) = await BoundedBodyReader.ReadAsync(request, options.MaxRequestBodyBytes, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var parsed = parse(body);
        if (parsed.MalformedReason is { } malformed)
        {
            return Problems.MalformedJson(malformed);
        }
        if (parsed.Operations is not { } operations)
        {
            return Problems.Validation(parsed.Errors!);
        }

        try
        {
            var operationId = await ingestor.EnqueueAsync(operations, "api", Lane.Realtime, CorrelationIdFrom(request), cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(new AcceptedOperation(operationId), statusCode: StatusCodes.Status202Accepted);
        }
        catch (OperationTooLargeException tooLarge)
        {
            return Problems.OperationTooLarge(tooLarge.JsonBytes, OperationIngestor.MaxOperationJsonBytes);
        }
        catch (StorageUnavailableException)
        {
            return Problems.StorageUnavailable();
        }
    }

    /// <summary>A caller's correlation id is kept when it is a plausible id; anything else is ignored, never echoed.</summary>
    public static string? CorrelationIdFrom(HttpRequest request)
    {
        var value = request.Headers[CorrelationHeader].ToString();
        return value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? value : null;
    }
}

public sealed record AcceptedOperation(
    string OperationId,
    string Status = "queued");
