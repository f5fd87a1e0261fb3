using System.Globalization;
using Libromi.Simulator.Api;
using Libromi.Simulator.Faults;
using Libromi.Simulator.RateLimiting;
using Microsoft.Net.Http.Headers;

namespace Libromi.Simulator.Access;

/// <summary>
/// Decides whether an <c>/api/v1</c> request reaches its endpoint, in this order:
/// latency faults, authentication (401), injected 429 (another client spent the quota, not counted),
/// the token's sliding windows (429, counted when admitted), read-only tokens writing (403),
/// injected server errors (500 JSON or 502 HTML). A request refused by a later step has still
/// spent its place in the windows, as on a server that throttles before it handles.
/// </summary>
public sealed class ApiGateMiddleware(
    RequestDelegate next,
    TokenRegistry tokens,
    RateWindows windows,
    FaultInjector faults,
    SimulatorClock clock,
    ILogger<ApiGateMiddleware> logger)
{
    private const string NginxBadGateway =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var plan = faults.Draw();
        if (plan.Delay > TimeSpan.Zero)
        {
            await Task.Delay(plan.Delay, clock.TimeProvider, context.RequestAborted);
        }

        var token = BearerToken.From(request);
        if (tokens.Find(token) is not { } access)
        {
            SimulatorLog.Unauthenticated(logger, request.Method, request.Path);
            await WriteJsonAsync(context, StatusCodes.Status401Unauthorized, new MessageOnly("Unauthenticated."));
            return;
        }

        if (plan.RateLimited)
        {
            await WriteTooManyAttemptsAsync(context, plan.Settings.RateLimitRetryAfterSeconds, plan.Settings.RateLimitHint, injected: true);
            return;
        }

        var decision = windows.TryAcquire(token!);
        if (!decision.Admitted)
        {
            var seconds = (int)Math.Ceiling(decision.RetryAfter.TotalSeconds);
            await WriteTooManyAttemptsAsync(context, Math.Max(seconds, 1), plan.Settings.RateLimitHint, injected: false);
            return;
        }

        if (access == TokenAccess.ReadOnly && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            SimulatorLog.ReadOnlyWrite(logger, request.Method, request.Path);
            await WriteJsonAsync(context, StatusCodes.Status403Forbidden, new MessageOnly("This action is unauthorized."));
            return;
        }

        if (plan.ServerError)
        {
            await WriteServerErrorAsync(context, plan.Settings.HtmlErrorBodies);
            return;
        }

        await next(context);
    }

    private async Task WriteTooManyAttemptsAsync(HttpContext context, int retryAfterSeconds, RateLimitHint hint, bool injected)
    {
        SimulatorLog.RateLimited(logger, context.Request.Method, context.Request.Path, injected, retryAfterSeconds);
        if (hint is RateLimitHint.Both or RateLimitHint.Header)
        {
            context.Response.Headers[HeaderNames.RetryAfter] = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        int? bodyHint = hint is RateLimitHint.Both or RateLimitHint.Body ? retryAfterSeconds : null;
        await WriteJsonAsync(context, StatusCodes.Status429TooManyRequests, new TooManyAttempts("Too Many Attempts.", bodyHint));
    }

    private async Task WriteServerErrorAsync(HttpContext context, bool html)
    {
        SimulatorLog.InjectedServerError(logger, context.Request.Method, context.Request.Path, html);
        if (html)
        {
            // What a reverse proxy in front of Libromi answers when the application behind it fails.
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync(NginxBadGateway, context.RequestAborted);
            return;
        }

        await WriteJsonAsync(
            context,
            StatusCodes.Status500InternalServerError,
            new ServerFailure("failed", "An error occurred while processing the request.", "Simulated server error"));
    }

    private static Task WriteJsonAsync<T>(HttpContext context, int statusCode, T body) =>
        Results.Json(body, statusCode: statusCode).ExecuteAsync(context);
}
