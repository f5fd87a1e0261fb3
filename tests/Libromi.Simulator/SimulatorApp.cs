using Libromi.Simulator.Access;
using Libromi.Simulator.Api;
using Libromi.Simulator.Contacts;
using Libromi.Simulator.Faults;
using Libromi.Simulator.Inspection;
using Libromi.Simulator.RateLimiting;
using Libromi.Simulator.Scenarios;

namespace Libromi.Simulator;

/// <summary>Composes the simulator: Libromi's API under <c>/api/v1</c> and the inspection API under <c>/_simulator</c>.</summary>
public static class SimulatorApp
{
    /// <summary>The path base of Libromi's API; a client's base URL is <c>http://host:port/api/v1</c>.</summary>
    public const string ApiPathBase = "/api/v1";

    /// <summary>The path base of the unauthenticated inspection API.</summary>
    public const string InspectionPathBase = "/_simulator";

    /// <summary>
    /// Builds the simulator without starting it. <paramref name="args"/> are command-line arguments
    /// (<c>--urls http://127.0.0.1:0</c>, <c>--Simulator:RequestsPerMinute=3</c>); environment variables
    /// and appsettings apply as in any ASP.NET Core app. Start it with <c>StartAsync</c> and read the bound
    /// address from <c>Urls</c>.
    /// </summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="timeProvider">Clock of the rate windows, delays and timestamps; <see cref="TimeProvider.System"/> when null.</param>
    public static WebApplication Build(string[] args, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(SimulatorApp).Assembly.GetName().Name,
        });

        var options = SimulatorOptions.Load(builder.Configuration);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(new SimulatorClock(timeProvider ?? TimeProvider.System));
        services.AddSingleton<TokenRegistry>();
        services.AddSingleton<RateWindows>();
        services.AddSingleton(new FaultInjector(options.Faults));
        services.AddSingleton<StaffDirectory>();
        services.AddSingleton<AttributeSchema>();
        services.AddSingleton<ContactStore>();
        services.AddSingleton<RequestLog>();
        services.AddSingleton<ScenarioHooks>();
        services.ConfigureHttpJsonOptions(json => SimulatorJson.Configure(json.SerializerOptions));

        var app = builder.Build();
        if (options.UsesDevelopmentDefaults)
        {
            SimulatorLog.DevelopmentDefaults(
                app.Logger,
                SimulatorOptions.DevelopmentAdminToken,
                SimulatorOptions.DevelopmentReadOnlyToken,
                SimulatorOptions.DevelopmentStaff);
        }

        // The inspection API is neither logged nor gated: it is the test's side channel, not Libromi.
        // Everything else is logged, including requests that miss /api/v1, so a misconfigured base URL shows up.
        app.UseWhen(
            context => !context.Request.Path.StartsWithSegments(InspectionPathBase),
            branch => branch.UseMiddleware<RequestLogMiddleware>());
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(ApiPathBase),
            branch => branch.UseMiddleware<ApiGateMiddleware>());

        var api = app.MapGroup(ApiPathBase);
        api.MapContactApi();
        api.MapConversationApi();
        api.MapFallback(() => Results.Json(new MessageOnly("Not Found"), statusCode: StatusCodes.Status404NotFound));
        app.MapInspectionApi();
        app.MapScenarioApi();
        return app;
    }
}
