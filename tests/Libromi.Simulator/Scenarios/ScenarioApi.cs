using System.Text.Json;

namespace Libromi.Simulator.Scenarios;

/// <summary><c>POST /scenarios/{id}</c>, a webhook scenario's URL, and its inspection routes under <c>/_simulator/scenarios/{id}</c>.</summary>
public static class ScenarioApi
{
    public static IEndpointRouteBuilder MapScenarioApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/scenarios/{id}", ReceiveAsync);
        routes.MapGet("/_simulator/scenarios/{id}", (string id, ScenarioHooks hooks) => Results.Json(hooks.State(id)));
        routes.MapPut("/_simulator/scenarios/{id}", (string id, ScenarioBehaviour behaviour, ScenarioHooks hooks) =>
        {
            if (behaviour.DelayMs < 0 || behaviour.DelayCount < 0 || behaviour.RetryAfterSeconds < 0 || behaviour.Script?.Any(s => s is not 0 and (< 200 or > 599)) == true)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["behaviour"] = ["delay_ms and retry_after_seconds must not be negative; script holds 0 or HTTP status codes."] });
            }
            hooks.Configure(id, behaviour);
            return Results.Json(hooks.State(id));
        });
        return routes;
    }

    internal static async Task<IResult> ReceiveAsync(string id, HttpContext context, ScenarioHooks hooks, SimulatorClock clock)
    {
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return Results.Json(new { status = "failed", message = "The body must be JSON." }, statusCode: StatusCodes.Status400BadRequest);
        }
        var (index, status, delay, behaviour) = hooks.Receive(id, body, clock.UtcNow);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, clock.TimeProvider, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                hooks.Answered(id, index, null);
                return Results.Empty;
            }
        }
        hooks.Answered(id, index, status);
        return status switch
        {
            StatusCodes.Status200OK => Results.Json(new { status = "success" }),
            StatusCodes.Status404NotFound => Results.Json(new { status = "failed", message = "Webhook not found." }, statusCode: status),
            StatusCodes.Status429TooManyRequests => WithRetryAfter(context, behaviour.RetryAfterSeconds, Results.Json(new { status = "failed", message = "Too Many Attempts." }, statusCode: status)),
            _ => Results.Json(new { status = "failed", message = "Simulated scenario failure." }, statusCode: status),
        };
    }

    private static IResult WithRetryAfter(HttpContext context, int seconds, IResult inner)
    {
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return inner;
    }
}
