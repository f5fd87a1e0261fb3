using Libromi.Gateway.Hosting;
using Libromi.Gateway.Replays;
using Libromi.Gateway.Retention;
using Libromi.Gateway.Processing;

namespace Libromi.Gateway.Standalone;

/// <summary>
/// The gateway outside Azure Functions: the same routes and the same processor, with a drain service that
/// mirrors the Functions wake and timer triggers, a replay listener that mirrors its replay-jobs trigger, and a retention service that mirrors its timer trigger. Several instances
/// may share one storage account.
/// </summary>
public static class StandaloneApp
{
    /// <param name="configureServices">Lets tests substitute a clock or a credential; production passes nothing.</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddGateway(builder.Configuration);
        builder.Services.AddHostedService<StorageInitializer>();
        builder.Services.AddHostedService<DrainService>();
        builder.Services.AddHostedService<RetentionService>();
        builder.Services.AddHostedService<ReplayWorkService>();
        builder.Services.AddHostedService<KeyConfigurationWarning>();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapGatewayApi();
        return app;
    }
}
