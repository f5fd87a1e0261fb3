using Libromi.Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Standalone;

/// <summary>Says once, at start, when keyed routes are open to loopback callers only because no key is set.</summary>
internal sealed partial class KeyConfigurationWarning(IOptions<GatewayOptions> options, ILogger<KeyConfigurationWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.Value.ApiKey))
        {
            LogNoKey(logger, "Gateway__ApiKey", "canonical operations and imports");
        }
        if (string.IsNullOrEmpty(options.Value.AdminKey))
        {
            LogNoKey(logger, "Gateway__AdminKey", "admin routes");
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5002, EventName = "NoKeyConfigured", Level = LogLevel.Warning, Message = "{Setting} is not set: {Routes} are served to loopback callers only")]
    private static partial void LogNoKey(ILogger logger, string setting, string routes);
}
