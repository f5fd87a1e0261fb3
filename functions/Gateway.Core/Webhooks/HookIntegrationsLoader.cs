using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// Loads the integrations file when the host starts rather than at the first delivery, so an invalid file fails
/// start-up with an <see cref="IntegrationsFileException"/> naming every bad field.
/// </summary>
internal sealed class HookIntegrationsLoader(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<HookIntegrations>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
