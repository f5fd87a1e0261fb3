using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// Creates the <c>deliveries</c> table on start, like the standalone host's queue initializer. Storage being down at
/// start is not fatal: <see cref="DeliveryDeduplicator"/> treats a missing table as "nothing seen" and creates it on
/// the first record.
/// </summary>
internal sealed partial class DeliveriesTableInitializer(DeliveryDeduplicator deduplicator, ILogger<DeliveriesTableInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await deduplicator.CreateTableIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogNotCreated(logger, exception.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5111, EventName = "DeliveriesTableNotCreated", Level = LogLevel.Warning,
        Message = "Could not create the deliveries table at start ({Failure}); it is created at the first recorded delivery")]
    private static partial void LogNotCreated(ILogger logger, string failure);
}
