using System.Globalization;
using Libromi.Gateway.Http;
using Libromi.Gateway.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Libromi.Gateway.Storage;

namespace Libromi.Gateway.Imports;

/// <summary>
/// <c>POST /api/imports</c> and <c>GET /api/imports/{id}</c>. Hosts map these handlers and hold no logic of their own.
/// </summary>
public static class ImportsApi
{
    /// <summary>
    /// How long a client refused for <see cref="ImportOptions.MaxConcurrent"/> waits: an upload holds its slot while the
    /// file arrives and is queued, about 12 s for 100,000 rows in the benchmark (docs/imports.md).
    /// </summary>
    public const int BusyRetryAfterSeconds = 15;

    public static async Task<Results<Accepted<AcceptedImport>, ProblemHttpResult, ValidationProblem, WithHeaderResult<ProblemHttpResult>>> AcceptAsync(
        HttpRequest request, ImportIntake intake, IOptions<ImportOptions> options, CancellationToken cancellationToken)
    {
        if (!ImportFormats.TryFromContentType(request.ContentType, out var format, out var formatError))
        {
            return Problems.Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type", formatError,
                new Dictionary<string, object?> { ["code"] = ImportFileErrorCodes.UnsupportedMediaType });
        }
        var mode = request.Query["mode"].ToString();
        if (mode is not ("" or "default" or "strict"))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["mode"] = ["Use mode=strict to refuse the whole file on any invalid row, or leave it out."] });
        }
        var limit = options.Value.MaxFileBytes;
        if (request.ContentLength > limit)
        {
            return FileTooLarge(limit);
        }
        // The server's own body limit (Kestrel: 30 MB) must not cut the file before the import limit does.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit + 1;
        }

        ImportIntakeResult result;
        try
        {
            result = await intake.AcceptAsync(request.Body, format, mode == "strict", CanonicalOperationsApi.CorrelationIdFrom(request), cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            return Problems.StorageUnavailable();
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return FileTooLarge(limit);
        }
        catch (BadHttpRequestException exception)
        {
            return Problems.Problem(exception.StatusCode, "bad-request", "Bad request", "The upload could not be read completely; nothing was imported.");
        }

        return result switch
        {
            ImportIntakeResult.Accepted accepted => Accepted(accepted.Import),
            ImportIntakeResult.FileRefused refused => FileProblem(refused.Error),
            ImportIntakeResult.RowsRefused rows => RowProblem(
                $"Strict mode: {rows.Rejected} of {rows.Valid + rows.Rejected} rows are invalid, so nothing was imported. Fix them or import without mode=strict.",
                "invalid-rows", rows.Rejected, rows.FirstErrors),
            ImportIntakeResult.NoValidRows none => RowProblem(
                $"None of the file's {none.Rejected} rows is valid, so nothing was imported.", "no-valid-rows", none.Rejected, none.FirstErrors),
            ImportIntakeResult.Busy busy => Busy(busy.MaxConcurrent),
            _ => throw new InvalidOperationException($"Unhandled intake result {result.GetType().Name}."),
        };
    }

    public static async Task<Results<JsonHttpResult<ImportProgress>, ProblemHttpResult, ValidationProblem>> GetProgressAsync(
        string id, HttpRequest request, ImportProgressReader reader, CancellationToken cancellationToken)
    {
        if (id.Length != 32 || !id.All(char.IsAsciiHexDigitLower))
        {
            return Problems.NotFound("No import has this id.");
        }
        var pageText = request.Query["failed_page"].ToString();
        var page = 1;
        if (pageText.Length > 0 && (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["failed_page"] = ["Pages are numbered from 1."] });
        }
        try
        {
            return await reader.ReadAsync(id, page, cancellationToken).ConfigureAwait(false) is { } progress
                ? TypedResults.Json(progress)
                : Problems.NotFound("No import has this id. Finished imports are kept for Retention__FinishedImports (30 days by default), then deleted.");
        }
        catch (Exception exception) when (StorageFaults.IsStorageFault(exception, cancellationToken))
        {
            return Problems.Problem(StatusCodes.Status503ServiceUnavailable, "storage-unavailable", "Storage unavailable", "The import's progress cannot be read right now. Retry later.");
        }
    }

    public static string LocationOf(string importId) => "/api/imports/" + importId;

    private static Accepted<AcceptedImport> Accepted(ImportHeader import) => TypedResults.Accepted(LocationOf(import.ImportId), new AcceptedImport(
        import.ImportId, ImportStatus.Queued, import.Accepted, import.Rejected, import.Duplicates, import.FirstRowErrors, LocationOf(import.ImportId)));

    private static ProblemHttpResult FileTooLarge(long limit) =>
        FileProblem(new ImportFileException(ImportFileErrorCodes.FileTooLarge, $"The file is larger than the limit of {limit} bytes (Imports__MaxFileBytes)."));

    private static WithHeaderResult<ProblemHttpResult> Busy(int maxConcurrent) => Problems.WithRetryAfter(
        Problems.Problem(StatusCodes.Status429TooManyRequests, "too-many-imports", "Too many imports",
            $"{maxConcurrent} imports are being uploaded to this gateway already (Imports__MaxConcurrent); the file was not read. Retry after {BusyRetryAfterSeconds} seconds.",
            new Dictionary<string, object?> { ["code"] = ImportFileErrorCodes.TooManyImports }),
        BusyRetryAfterSeconds);

    private static ProblemHttpResult FileProblem(ImportFileException error)
    {
        var status = error.Code switch
        {
            ImportFileErrorCodes.FileTooLarge => StatusCodes.Status413PayloadTooLarge,
            ImportFileErrorCodes.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
            _ => StatusCodes.Status400BadRequest,
        };
        var extensions = new Dictionary<string, object?> { ["code"] = error.Code };
        if (error.Line is { } line)
        {
            extensions["line"] = line;
        }
        return Problems.Problem(status, error.Code.Replace('_', '-'), "The file cannot be imported", error.Message, extensions);
    }

    private static ValidationProblem RowProblem(string detail, string type, int rejected, IReadOnlyList<RowErrorView> firstErrors)
    {
        var errors = firstErrors
            .GroupBy(e => $"line {e.Line.ToString(CultureInfo.InvariantCulture)}")
            .ToDictionary(g => g.Key, g => g.Select(e => $"{e.Field}: {e.Message}").ToArray());
        return TypedResults.ValidationProblem(errors, detail, title: "Invalid rows", type: "https://libromi-gateway.dev/problems/" + type,
            extensions: new Dictionary<string, object?> { ["rejected"] = rejected, ["row_errors"] = firstErrors });
    }
}

/// <summary>The <c>202</c> body of <c>POST /api/imports</c>.</summary>
public sealed record AcceptedImport(
    string ImportId,
    string Status,
    int Accepted,
    int Rejected,
    int Duplicates,
    IReadOnlyList<RowErrorView> RowErrors,
    string Location);

public static class ImportsEndpointRouteBuilderExtensions
{
    /// <summary><c>POST /imports</c> and <c>GET /imports/{id}</c> under the standalone host's <c>/api</c> group, behind the API key.</summary>
    public static IEndpointRouteBuilder MapImportsApi(this IEndpointRouteBuilder api)
    {
        api.MapPost("/imports", AcceptAsync).AddEndpointFilter(new GatewayKeyFilter(GatewayKeyRole.Api));
        api.MapGet("/imports/{id}", GetProgressAsync).AddEndpointFilter(new GatewayKeyFilter(GatewayKeyRole.Api));
        return api;
    }

    private static Task<Results<Accepted<AcceptedImport>, ProblemHttpResult, ValidationProblem, WithHeaderResult<ProblemHttpResult>>> AcceptAsync(HttpRequest request, ImportIntake intake, IOptions<ImportOptions> options, CancellationToken cancellationToken) =>
        ImportsApi.AcceptAsync(request, intake, options, cancellationToken);

    private static Task<Results<JsonHttpResult<ImportProgress>, ProblemHttpResult, ValidationProblem>> GetProgressAsync(string id, HttpRequest request, ImportProgressReader reader, CancellationToken cancellationToken) =>
        ImportsApi.GetProgressAsync(id, request, reader, cancellationToken);
}
