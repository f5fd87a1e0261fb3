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

    // The hook route wraps a whole Results<...> (every hook answer names its delivery), whose status is its chosen answer's.
    public int? StatusCode => StatusOf(Inner);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers[name] = value;
        return Inner.ExecuteAsync(httpContext);
    }

    private static int? StatusOf(IResult result) => result switch
    {
        IStatusCodeHttpResult status => status.StatusCode,
        INestedHttpResult nested => StatusOf(nested.Result),
        _ => null,
    };
}
