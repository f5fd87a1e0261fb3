using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Libromi.Gateway.Http;

/// <summary>
/// The RFC 9457 answers of the public contract. Every error is <c>application/problem+json</c> with a
/// human-readable detail; the <c>type</c> URIs are stable identifiers integrators can switch on.
/// </summary>
public static class Problems
{
    private const string TypeBase = "https://libromi-gateway.dev/problems/";

    public static ValidationProblem Validation(IDictionary<string, string[]> errors, string detail = "The request has invalid fields.") =>
        TypedResults.ValidationProblem(errors, detail, type: TypeBase + "validation", title: "Invalid request");

    public static ProblemHttpResult MalformedJson(string detail) =>
        Problem(StatusCodes.Status400BadRequest, "malformed-json", "Malformed JSON", detail);

    // The sender's own Content-Type is not echoed: it is theirs to read, and echoing input is how injection starts.
    public static ProblemHttpResult UnsupportedMediaType(string? contentType, string expected) =>
        Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
            contentType is null
                ? $"The request has no Content-Type; send {expected}."
                : $"The request's Content-Type is not accepted here; send {expected}.");

    public static ProblemHttpResult MalformedHost() =>
        Problem(StatusCodes.Status400BadRequest, "malformed-host", "Malformed Host header",
            "The Host header is not a valid host name or address with an optional port, so the request URL cannot be formed.");

    public static ProblemHttpResult PayloadTooLarge(long limitBytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "Payload too large",
            $"The request body exceeds the limit of {limitBytes} bytes.");

    /// <summary>The operation can never be stored (it outgrows one queue message): retrying cannot help, so not a 503.</summary>
    public static ProblemHttpResult OperationTooLarge(int jsonBytes, int limitBytes, string? where = null) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "operation-too-large", "Operation too large",
            $"{where ?? "The operation"} is {jsonBytes} bytes as stored; at most {limitBytes} bytes fit one queue message. "
            + "Send fewer or shorter attributes; nothing was accepted.",
            new Dictionary<string, object?> { ["limit_bytes"] = limitBytes, ["size_bytes"] = jsonBytes });

    public static ProblemHttpResult Unauthorized(string detail) =>
        Problem(StatusCodes.Status401Unauthorized, "unauthorized", "Unauthorized", detail);

    public static ProblemHttpResult NotFound(string detail) =>
        Problem(StatusCodes.Status404NotFound, "not-found", "Not found", detail);

    /// <summary>Storage could not take the operation: nothing was accepted, the sender should retry.</summary>
    public static WithHeaderResult<ProblemHttpResult> StorageUnavailable(int retryAfterSeconds = 30) =>
        WithRetryAfter(Problem(StatusCodes.Status503ServiceUnavailable, "storage-unavailable", "Storage unavailable",
            "The gateway could not store the operation, so it was not accepted. Retry later."), retryAfterSeconds);

    /// <summary><paramref name="inner"/> with a <c>Retry-After</c> of whole seconds, for 429 and 503 answers.</summary>
    public static WithHeaderResult<TResult> WithRetryAfter<TResult>(TResult inner, int seconds)
        where TResult : IResult =>
        WithHeader(inner, "Retry-After", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary><paramref name="inner"/> with one more response header.</summary>
    public static WithHeaderResult<TResult> WithHeader<TResult>(TResult inner, string name, string value)
        where TResult : IResult => new(inner, name, value);

    public static ProblemHttpResult Problem(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, type: TypeBase + type, extensions: extensions);

    // Echoing client input back is how header injection and log forging start: keep it short and printable.
    internal static string? Sanitize(string? value)
    {
        if (value is null)
        {
            return null;
        }
        var printable = new string([.. value.Take(100).Where(c => c is >= ' ' and <= '~')]);
        return printable.Length == 0 ? "(unprintable)" : printable;
    }
}
