using System.Net;
using System.Net.Mime;
using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.Libromi;
using OpenTelemetry;

namespace Libromi.Gateway.Scenarios;

/// <summary>
/// POSTs a flat JSON body to a Libromi webhook scenario's URL and says what became of it. The URL is the scenario's
/// only secret: it is never logged (the client's default HTTP loggers are removed at registration), never traced (the
/// HttpClient span, whose url.full is the URL, is suppressed), never put in an outcome's reason or answer, and
/// exceptions are reduced to their kind, since their messages may carry the address.
/// </summary>
public sealed class ScenarioClient(HttpClient http)
{
    /// <summary>Libromi's answer is kept this long at most, for dead letters and the trail.</summary>
    internal const int MaxAnswerChars = 512;

    public const string NotFoundReason = "scenario URL not found: deleted in Libromi?";

    public async Task<LibromiOutcome> PostAsync(Uri url, JsonObject body, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, MediaTypeNames.Application.Json),
        };
        try
        {
            // HttpClient's own trace span carries the request URI (url.full) to the telemetry exporter, and the URI is
            // the secret: the span is not recorded for scenario calls (the processing span above it still is).
            using var noHttpSpan = SuppressInstrumentationScope.Begin();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var answer = Scrub(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), url);
            return Classify(response.StatusCode, response.Headers.RetryAfter, answer);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout: the scenario may or may not have run; retried like a 5xx (docs/scenarios.md).
            return new LibromiOutcome.Transient("the scenario URL did not answer in time");
        }
        catch (HttpRequestException exception)
        {
            return new LibromiOutcome.Transient($"could not reach the scenario URL ({exception.HttpRequestError})");
        }
    }

    /// <summary>2xx delivered; 429 rate limited; 408 and 5xx transient; 404/410 a deleted scenario; other 4xx refused.</summary>
    public static LibromiOutcome Classify(HttpStatusCode status, System.Net.Http.Headers.RetryConditionHeaderValue? retryAfter, string? answer)
    {
        var code = (int)status;
        LibromiOutcome outcome = code switch
        {
            >= 200 and < 300 => new LibromiOutcome.Delivered(),
            429 => new LibromiOutcome.RateLimited(RetryAfter(retryAfter)),
            408 or >= 500 => new LibromiOutcome.Transient($"the scenario URL answered {code}"),
            404 or 410 => new LibromiOutcome.Rejected(NotFoundReason, null),
            _ => new LibromiOutcome.Rejected($"the scenario URL refused the body ({code})", null),
        };
        return outcome with { StatusCode = code, ResponseBody = answer };
    }

    private static TimeSpan? RetryAfter(System.Net.Http.Headers.RetryConditionHeaderValue? header) =>
        header?.Delta is { } delta && delta > TimeSpan.Zero ? delta
        : header?.Date is { } date && date > DateTimeOffset.UtcNow ? date - DateTimeOffset.UtcNow
        : null;

    /// <summary>An answer that echoes the URL (or its path, the secret part) must not carry it into a dead letter.</summary>
    internal static string? Scrub(string? answer, Uri url)
    {
        if (string.IsNullOrEmpty(answer))
        {
            return null;
        }
        var cut = answer.Length > MaxAnswerChars ? answer[..MaxAnswerChars] : answer;
        foreach (var secret in new[] { url.AbsoluteUri, url.AbsoluteUri.TrimEnd('/'), url.PathAndQuery })
        {
            if (secret.Length > 1)
            {
                cut = cut.Replace(secret, "[scenario url]", StringComparison.OrdinalIgnoreCase);
            }
        }
        return cut;
    }
}
