using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Libromi.Gateway.Status;

/// <summary>
/// The status page: one static HTML file with inline script and style, embedded in this assembly, so it
/// works with no network and no static-file middleware. It polls <c>/api/status</c> and, once the operator
/// enters the admin key (kept in sessionStorage, never in a URL), lists and replays dead letters.
/// </summary>
public static class StatusPage
{
    // Nothing may load from elsewhere; the script talks to this origin only.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Lazy<byte[]> Html = new(() =>
    {
        using var stream = typeof(StatusPage).Assembly.GetManifestResourceStream("Libromi.Gateway.Status.status.html")
            ?? throw new InvalidOperationException("The status page resource is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static FileContentHttpResult Handle(HttpContext context)
    {
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Bytes(Html.Value, "text/html; charset=utf-8");
    }
}
