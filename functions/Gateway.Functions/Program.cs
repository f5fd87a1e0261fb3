using Libromi.Gateway.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// ASP.NET Core logs every request's URL at Information ("Request starting ... ?code=<function key>") and the worker
// streams its logs to the host and on to Application Insights: keep that category at Warning, as the standalone
// host's appsettings.json does.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.AddGateway(builder.Configuration);
builder.Build().Run();
