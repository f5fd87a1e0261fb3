using System.Net;
using System.Security.Cryptography;
using System.Text;
using Libromi.Gateway.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Http;

public enum GatewayKeyRole
{
    /// <summary>Canonical operations and imports: <c>Gateway__ApiKey</c> (the admin key opens them too).</summary>
    Api,
    /// <summary>Dead letters, replay and other admin routes: <c>Gateway__AdminKey</c> only.</summary>
    Admin,
}

/// <summary>
/// The standalone host's equivalent of Azure Functions keys: header <c>x-functions-key</c> or query
/// <c>code</c>. Without a configured key, only loopback callers are served (development).
/// </summary>
public sealed class GatewayKeyFilter(GatewayKeyRole role) : IEndpointFilter
{
    public const string HeaderName = "x-functions-key";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var options = http.RequestServices.GetService(typeof(IOptions<GatewayOptions>)) is IOptions<GatewayOptions> o ? o.Value : new GatewayOptions();
        var expected = role == GatewayKeyRole.Admin ? options.AdminKey : options.ApiKey;
        var presented = PresentedKey(http.Request);

        if (string.IsNullOrEmpty(expected))
        {
            // An unconfigured admin key never falls back to the API key: the API key must not open admin routes.
            return IsLoopback(http.Connection.RemoteIpAddress) && !IsForwarded(http.Request)
                ? next(context)
                : Deny($"This route needs a key, and none is configured (set Gateway__{role}Key); only local callers are served without one, never through a proxy.");
        }
        if (presented is null)
        {
            return Deny($"Send the {role.ToString().ToLowerInvariant()} key in the '{HeaderName}' header or the 'code' query parameter.");
        }
        var matches = FixedTimeEquals(presented, expected) || (role == GatewayKeyRole.Api && !string.IsNullOrEmpty(options.AdminKey) && FixedTimeEquals(presented, options.AdminKey));
        return matches ? next(context) : Deny("The key is not valid for this route.");
    }

    private static string? PresentedKey(HttpRequest request)
    {
        var header = request.Headers[HeaderName].ToString();
        if (header.Length > 0)
        {
            return header;
        }
        var query = request.Query["code"].ToString();
        return query.Length > 0 ? query : null;
    }

    private static bool FixedTimeEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address);

    /// <summary>
    /// A reverse proxy on the same machine connects from loopback on behalf of anyone; the headers proxies add tell
    /// such a request from a local caller's, so the keyless development fallback never opens to the internet.
    /// </summary>
    private static bool IsForwarded(HttpRequest request) =>
        ForwardingHeaders.Any(header => request.Headers.ContainsKey(header));

    private static readonly string[] ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP", "X-Original-For"];

    private static ValueTask<object?> Deny(string detail) => ValueTask.FromResult<object?>(Problems.Unauthorized(detail));
}
