using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Libromi.Gateway.Functions;

internal static class HttpResults
{
    /// <summary>
    /// Writes the core's answer (a typed <c>Results&lt;...&gt;</c> or any <see cref="IResult"/>, problem+json included) to the response, so both hosts answer
    /// byte for byte alike; the function then returns an action that writes nothing more.
    /// </summary>
    public static async Task<IActionResult> WriteAsync<TResult>(this Task<TResult> result, HttpRequest request)
        where TResult : IResult
    {
        await (await result.ConfigureAwait(false)).ExecuteAsync(request.HttpContext).ConfigureAwait(false);
        return new EmptyResult();
    }
}
