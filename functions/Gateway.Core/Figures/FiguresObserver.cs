using Libromi.Gateway.Operations;
using Libromi.Gateway.Trail;
using Microsoft.Extensions.DependencyInjection;

namespace Libromi.Gateway.Figures;

/// <summary>Counts delivered and dead-lettered operations of webhook integrations, in memory, as the processor settles them.</summary>
public sealed class FiguresObserver(FigureTally tally, [FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider) : IOperationObserver
{
    public Task<IReadOnlyList<OperationEnvelope>> SkipFinishedAsync(IReadOnlyList<OperationEnvelope> contacts, CancellationToken cancellationToken) =>
        Task.FromResult(contacts);

    public Task OnDeliveredAsync(OperationEnvelope contact, CancellationToken cancellationToken)
    {
        if (IntegrationOf(contact) is { } integration)
        {
            tally.CountDelivered(integration, timeProvider.GetUtcNow());
        }
        return Task.CompletedTask;
    }

    public Task OnDeadLetteredAsync(OperationEnvelope contact, DeadLetterRecord record, CancellationToken cancellationToken)
    {
        if (IntegrationOf(contact) is { } integration)
        {
            tally.CountDeadLettered(integration, record.ReasonClass, record.StatusCode, timeProvider.GetUtcNow());
        }
        return Task.CompletedTask;
    }

    private static string? IntegrationOf(OperationEnvelope contact) =>
        contact.Source.StartsWith(OperationSource.HookPrefix, StringComparison.Ordinal) ? contact.Source[OperationSource.HookPrefix.Length..] : null;
}
