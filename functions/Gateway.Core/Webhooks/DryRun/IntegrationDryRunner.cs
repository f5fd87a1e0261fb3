using Libromi.Gateway.Libromi;
using Libromi.Gateway.Secrets;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Webhooks.DryRun;

/// <summary>
/// The dry run as the gateway serves it: the live definition from <see cref="HookIntegrations"/> or a draft validated
/// by the file's own validator, the hook route's secrets and item limit, the attribute definitions this instance has
/// learned, and, when the author names one, a sample contact read from Libromi first. Queues nothing, records no
/// delivery identity.
/// </summary>
public sealed class IntegrationDryRunner(
    HookIntegrations integrations,
    ISecretSource secrets,
    SampleContactReader sampleContacts,
    AttributeTypeCatalog attributeTypes,
    IOptions<HookOptions> hookOptions,
    TimeProvider timeProvider)
{
    /// <param name="hookUrl">The URL a sender would call for this integration; a sample's own <c>url</c> wins.</param>
    /// <param name="logged">The logged delivery whose body and media type <paramref name="input"/> carries, when it was read from the delivery log.</param>
    public async Task<DryRunOutcome> RunAsync(string name, DryRunInput input, Uri hookUrl, LoggedDeliveryReport? logged, CancellationToken cancellationToken)
    {
        IntegrationDefinition? integration;
        string definition;
        if (input.Definition is { } draft)
        {
            if (!IntegrationsFile.TryParseDefinition(name, draft, out integration, out var errors))
            {
                return new DryRunOutcome.InvalidDraft(errors);
            }
            definition = IntegrationDryRun.Draft;
        }
        else if (integrations.TryGet(name, out integration))
        {
            definition = IntegrationDryRun.Live;
        }
        else
        {
            return new DryRunOutcome.UnknownIntegration();
        }

        var sampleContact = input.SamplePhone is { } phone
            ? await sampleContacts.ReadAsync(phone, integration.DefaultCountryCode, cancellationToken).ConfigureAwait(false)
            : null;
        var report = await IntegrationDryRun.RunAsync(integration, definition, input.ToWebhookRequest(hookUrl), secrets, timeProvider,
            hookOptions.Value.MaxItemsPerDelivery, attributeTypes, sampleContact, logged, cancellationToken).ConfigureAwait(false);
        return new DryRunOutcome.Reported(report);
    }
}

/// <summary>What a dry run request came to; <see cref="IntegrationTestApi"/> turns it into the HTTP answer.</summary>
public abstract record DryRunOutcome
{
    private DryRunOutcome() { }

    /// <summary>200 with the report, whatever the report says about the sample.</summary>
    public sealed record Reported(DryRunReport Report) : DryRunOutcome;

    /// <summary>404: no live integration of that name, and no draft was sent.</summary>
    public sealed record UnknownIntegration : DryRunOutcome;

    /// <summary>422: the draft fails the integrations file's validation; the errors are the validator's own.</summary>
    public sealed record InvalidDraft(IReadOnlyList<IntegrationsFileError> Errors) : DryRunOutcome;
}
