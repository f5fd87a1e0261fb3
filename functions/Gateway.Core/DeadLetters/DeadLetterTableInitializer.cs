using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.DeadLetters;

/// <summary>
/// Creates the <c>deadletters</c> table at start on both hosts (in Azure the Bicep template does too), in the
/// background so an unreachable storage account never holds up start-up (Flex Consumption allows 30 s).
/// Storage being down at start is not fatal: the first dead-letter write creates the table.
/// </summary>
internal sealed partial class DeadLetterTableInitializer(DeadLetterStore store, ILogger<DeadLetterTableInitializer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await store.EnsureCreatedAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogNotCreated(logger, exception.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 3103, EventName = "DeadLetterTableNotCreated", Level = LogLevel.Warning, Message = "Could not create the dead-letter table at start ({Failure}); it is created by the first dead-letter write")]
    private static partial void LogNotCreated(ILogger logger, string failure);
}
