using Libromi.Gateway.Scenarios;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// Loads the integrations file when the host starts rather than at the first delivery, so an invalid file fails
/// start-up with an <see cref="IntegrationsFileException"/> naming every bad field, a scenario the host does not
/// configure included (the file alone cannot know: <c>gateway integrations check</c> runs without the host's settings).
/// </summary>
internal sealed class HookIntegrationsLoader(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var integrations = services.GetRequiredService<HookIntegrations>();
        var scenarios = services.GetRequiredService<IOptions<ScenarioOptions>>().Value;
        if (UnconfiguredScenarios(integrations, scenarios) is { Count: > 0 } errors)
        {
            throw new IntegrationsFileException(integrations.FileName ?? "integrations.json", errors);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every <c>trigger_scenario</c> naming a scenario without a definition: it could only ever dead-letter.</summary>
    internal static List<IntegrationsFileError> UnconfiguredScenarios(HookIntegrations integrations, ScenarioOptions scenarios)
    {
        var errors = new List<IntegrationsFileError>();
        foreach (var name in integrations.Names.Order(StringComparer.Ordinal))
        {
            if (!integrations.TryGet(name, out var integration))
            {
                continue;
            }
            for (var i = 0; i < integration.Operations.Count; i++)
            {
                if (integration.Operations[i] is OperationDefinition.TriggerScenario trigger && !scenarios.Definitions.ContainsKey(trigger.Scenario))
                {
                    errors.Add(new IntegrationsFileError($"integrations.{name}.operations[{i}].trigger_scenario.scenario",
                        $"no scenario named '{trigger.Scenario}' is configured (set Scenarios__Definitions__{trigger.Scenario}__Secret)"));
                }
            }
        }
        return errors;
    }
}
