using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.Queueing;

/// <summary>Says once, at start, that the message hold is still set under its old key, so operators rename it.</summary>
internal sealed partial class MessageHoldSettingWarning(MessageHoldSetting setting, ILogger<MessageHoldSettingWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (setting.UsesDeprecatedKey)
        {
            LogDeprecatedKey(logger, MessageHoldSetting.DeprecatedKey, MessageHoldSetting.Key);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4014, EventName = "MessageHoldSetUnderOldName", Level = LogLevel.Warning,
        Message = "The setting {DeprecatedKey} is deprecated: rename it to {Key} (the old key is read only while the new one is absent)")]
    private static partial void LogDeprecatedKey(ILogger logger, string deprecatedKey, string key);
}
