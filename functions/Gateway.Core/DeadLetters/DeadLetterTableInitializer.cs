using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.DeadLetters;

/// <summary>
/// Creates the <c>deadletters</c> table at start on both hosts (in Azure the Bicep template does too).
/// Storage being down at start is not fatal: the first dead-letter write creates the table.
/// </summary>
internal sealed partial class DeadLetterTableInitializer(DeadLetterStore store, ILogger<DeadLetterTableInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogNotCreated(logger, exception.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 6003, EventName = "DeadLetterTableNotCreated", Level = LogLevel.Warning, Message = "Could not create the dead-letter table at start ({Failure}); it is created by the first dead-letter write")]
    private static partial void LogNotCreated(ILogger logger, string failure);
}
