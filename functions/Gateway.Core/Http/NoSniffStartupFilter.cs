using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Libromi.Gateway.Http;

/// <summary>
/// Puts <c>X-Content-Type-Options: nosniff</c> on every answer of either host, first in the pipeline so that errors,
/// 404s and Kestrel-level status pages carry it too: a problem+json body that echoes part of a request must never be
/// sniffed into HTML by a browser. A startup filter, because the Functions worker's ASP.NET Core integration builds
/// its own pipeline and runs the filters registered in the shared service collection.
/// </summary>
internal sealed class NoSniffStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            // At the start of the response, because the exception handler clears headers set before it ran.
            context.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.XContentTypeOptions = "nosniff";
                return Task.CompletedTask;
            }, context.Response);
            return nextMiddleware(context);
        });
        next(app);
    };
}
