using System.Text;
using Libromi.Simulator.Access;

namespace Libromi.Simulator.Inspection;

/// <summary>Records each request with the status it was answered with.</summary>
public sealed class RequestLogMiddleware(RequestDelegate next, RequestLog log, SimulatorClock clock)
{
    // Nginx's code for "client closed request": there is no status the client saw.
    public const int ClientClosedRequest = 499;

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sequence = log.NextSequence();
        var receivedAt = clock.UtcNow;
        var request = context.Request;
        request.EnableBuffering();
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        request.Body.Position = 0;

        var recorded = 0;
        void Record(int statusCode)
        {
            // Recorded once, as early as the status is final: when the headers go out, so a client that
            // reads the log right after its response always finds its request there.
            if (Interlocked.Exchange(ref recorded, 1) == 1)
            {
                return;
            }

            var aborted = context.RequestAborted.IsCancellationRequested;
            log.Add(new RecordedRequest(
                sequence,
                receivedAt,
                request.Method,
                request.PathBase.Value + request.Path.Value,
                request.QueryString.Value ?? string.Empty,
                BearerToken.From(request),
                request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body,
                aborted ? ClientClosedRequest : statusCode,
                aborted));
        }

        context.Response.OnStarting(() =>
        {
            Record(context.Response.StatusCode);
            return Task.CompletedTask;
        });

        try
        {
            await next(context);
        }
        catch (Exception) when (!context.Response.HasStarted)
        {
            Record(StatusCodes.Status500InternalServerError);
            throw;
        }
        finally
        {
            Record(context.Response.StatusCode);
        }
    }
}
