using Microsoft.AspNetCore.Http;

namespace Libromi.Gateway.Http;

/// <summary>
/// An answer with one more response header (Retry-After, Location, a delivery id). Typed by what it wraps, so a
/// handler's signature still says which answer goes out underneath.
/// </summary>
public sealed class WithHeaderResult<TResult>(TResult inner, string name, string value) : IResult, IStatusCodeHttpResult
    where TResult : IResult
{
    public TResult Inner { get; } = inner;

    public int? StatusCode => (Inner as IStatusCodeHttpResult)?.StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers[name] = value;
        return Inner.ExecuteAsync(httpContext);
    }
}
