using Libromi.Gateway.Imports;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Functions;

/// <summary>HTTP triggers of the import routes. Function keys guard them on Azure (AuthorizationLevel.Function).</summary>
public sealed class ImportFunctions(ImportIntake intake, ImportProgressReader progress, IOptions<ImportOptions> options)
{
    [Function("Imports")]
    public Task<IActionResult> AcceptAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "imports")] HttpRequest request, CancellationToken cancellationToken) =>
        ImportsApi.AcceptAsync(request, intake, options, cancellationToken).WriteAsync(request);

    [Function("ImportProgress")]
    public Task<IActionResult> GetProgressAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "imports/{id}")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        ImportsApi.GetProgressAsync(id, request, progress, cancellationToken).WriteAsync(request);
}
