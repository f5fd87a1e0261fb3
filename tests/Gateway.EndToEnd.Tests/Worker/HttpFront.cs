using System.Net;
using Libromi.Gateway.EndToEnd.Worker.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.EndToEnd.Worker;

/// <summary>
/// The Functions host's HTTP side with the ASP.NET Core integration: pick the function by route and method from the
/// worker's metadata, check its key level, then send the invocation over gRPC (its http binding carries only the
/// method and URL, the request itself travels over HTTP) and forward the request to the worker's announced
/// <c>HttpUri</c>, paired with the invocation by the <c>x-ms-invocation-id</c> header.
/// </summary>
internal sealed class HttpFront : IAsyncDisposable
{
    private readonly WorkerHost _host;
    private readonly WebApplication _app;
    private readonly HttpClient _toWorker = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None })
    {
        Timeout = WorkerHost.InvocationTimeout,
    };

    private HttpFront(WorkerHost host, WebApplication app)
    {
        _host = host;
        _app = app;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<HttpFront> StartAsync(WorkerHost host)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var front = new HttpFront(host, builder.Build());
        front._app.Run(front.ServeAsync);
        await front._app.StartAsync();
        front.BaseAddress = WorkerHost.ServerAddress(front._app);
        return front;
    }

    public async ValueTask DisposeAsync()
    {
        _toWorker.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ServeAsync(HttpContext context)
    {
        var path = "/" + (context.Request.Path.Value?.TrimStart('/') ?? "");
        var method = context.Request.Method.ToUpperInvariant();
        var values = new RouteValueDictionary();
        // Literal segments win over parameters, as in ASP.NET Core routing: dead-letters/replay before dead-letters/{id}.
        var function = _host.Functions.Where(f => f.IsHttp).OrderBy(f => f.ParameterCount)
            .FirstOrDefault(f => (f.Methods.Count == 0 || f.Methods.Contains(method)) && Matches(f, path, values));
        if (function is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.Headers[WorkerHost.AnsweredByHostHeader] = "no-route";
            return;
        }
        if (!KeyAllows(function.AuthLevel, context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers[WorkerHost.AnsweredByHostHeader] = "key-refused";
            return;
        }

        var request = WorkerHost.NewInvocation(function);
        var http = new RpcHttp { Method = context.Request.Method, Url = $"{BaseAddress.GetLeftPart(UriPartial.Authority)}{context.Request.Path}{context.Request.QueryString}" };
        var metadata = new Dictionary<string, TypedData> { ["sys"] = WorkerHost.Sys(function.Name) };
        foreach (var (name, value) in values)
        {
            // Route parameters (id, integration) bind to the function's string parameters from trigger metadata.
            metadata[name] = new TypedData { String = value?.ToString() ?? "" };
        }
        var invocation = _host.InvokeAsync(function, request, new TypedData { Http = http }, metadata, context.RequestAborted);

        using var forward = Forward(context, request.InvocationId);
        using var answer = await _toWorker.SendAsync(forward, HttpCompletionOption.ResponseContentRead, context.RequestAborted);
        var invocationResult = await invocation;
        if (invocationResult.Result.Status != StatusResult.Types.Status.Success)
        {
            // The host answers 500 when the invocation failed, whatever the worker's HTTP side wrote.
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, value) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = value.ToArray();
            }
        }
        await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private bool Matches(WorkerFunction function, string path, RouteValueDictionary values)
    {
        values.Clear();
        return function.TryMatch(_host.RoutePrefix, path, values);
    }

    /// <summary>The caller's request as sent on to the worker: the raw target (path and query as received), headers and body.</summary>
    private HttpRequestMessage Forward(HttpContext context, string invocationId)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        var forward = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(new Uri(_host.Capabilities["HttpUri"]), rawTarget));
        forward.Headers.TryAddWithoutValidation("x-ms-invocation-id", invocationId);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            forward.Content = new StreamContent(context.Request.Body);
        }
        foreach (var (name, value) in context.Request.Headers)
        {
            if (name is "Host" or "Transfer-Encoding" or "Connection")
            {
                continue;
            }
            if (!forward.Headers.TryAddWithoutValidation(name, value.ToArray()))
            {
                forward.Content ??= new ByteArrayContent([]);
                forward.Content.Headers.TryAddWithoutValidation(name, value.ToArray());
            }
        }
        return forward;
    }

    private static bool KeyAllows(string? authLevel, HttpRequest request)
    {
        // Keys as the host reads them: header x-functions-key, else query code. Admin level needs the master key.
        var key = request.Headers["x-functions-key"].FirstOrDefault() ?? request.Query["code"].FirstOrDefault();
        return authLevel?.ToUpperInvariant() switch
        {
            null or "ANONYMOUS" => true,
            "FUNCTION" => key is WorkerHost.FunctionKey or WorkerHost.MasterKey,
            _ => key is WorkerHost.MasterKey,
        };
    }
}
