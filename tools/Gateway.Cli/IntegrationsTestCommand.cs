using System.Text.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.Webhooks.DryRun;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Secrets;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Libromi.Gateway.Cli;

/// <summary>
/// <c>gateway integrations test FILE NAME SAMPLE [--contact CONTACT]</c>: the dry run of
/// <c>POST /api/integrations/{name}/test</c>, on this machine, with no gateway and no network. FILE is validated
/// exactly as <c>integrations check</c> does; SAMPLE is the same JSON as the route's body (without <c>definition</c>:
/// the definition is FILE's). The report is the route's JSON, printed to standard output.
/// </summary>
/// <remarks>
/// Secrets for verifying a signed sample come from environment variables (<c>Gateway__Secrets__{name}</c>), as on a
/// gateway without a vault; an unsigned sample needs none. The CLI never calls Libromi: attribute definitions come
/// from a saved <c>GET /contact/{phone}</c> answer passed as CONTACT.
/// </remarks>
internal static class IntegrationsTestCommand
{
    /// <summary>A delivery like the sample would be accepted (or ignored, matching no operation), with no attribute warning.</summary>
    public const int WouldBeAccepted = 0;
    /// <summary>FILE is invalid or cannot be read: a host given it would not start (the check's lines are printed).</summary>
    public const int InvalidFile = 1;
    /// <summary>Usage: wrong arguments, an unreadable or invalid sample or contact file, an integration FILE does not define.</summary>
    public const int Usage = 2;
    /// <summary>A delivery like the sample would be refused, or a mapped value would be refused by Libromi (see the report).</summary>
    public const int WouldBeRefused = 3;

    private const string UsageText = "usage: gateway integrations test FILE NAME SAMPLE [--contact CONTACT.json]";

    private static readonly Uri LocalGateway = new("http://localhost/");

    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var output = console.Profile.Out.Writer;
        string? contactFile = null;
        if (args is [.. var head, "--contact", var contact])
        {
            args = head;
            contactFile = contact;
        }
        if (args is not ["integrations", "test", var file, var name, var sampleFile])
        {
            output.WriteLine(UsageText);
            return Usage;
        }

        var path = Path.GetFullPath(file);
        if (!IntegrationsFile.TryLoad(path, out var integrations, out var fileErrors))
        {
            output.WriteLine(IntegrationsFileException.Describe(Path.GetFileName(path), fileErrors));
            return InvalidFile;
        }
        if (!integrations.TryGetValue(name, out var integration))
        {
            output.WriteLine($"{Path.GetFileName(path)} defines no integration \"{name}\"; it defines: {string.Join(", ", integrations.Keys.Order(StringComparer.Ordinal))}.");
            return Usage;
        }

        if (!TryReadJson(sampleFile, output, out var sampleRoot))
        {
            return Usage;
        }
        if (!DryRunInput.TryRead(sampleRoot, out var input, out var sampleErrors))
        {
            output.WriteLine($"{Path.GetFileName(sampleFile)} is not a valid sample:");
            foreach (var (field, problems) in sampleErrors)
            {
                output.WriteLine($"  {field}: {string.Join("; ", problems)}");
            }
            return Usage;
        }
        if (input.Definition is not null)
        {
            output.WriteLine($"{Path.GetFileName(sampleFile)}: \"definition\" is for the route; the CLI tests the definition in {Path.GetFileName(path)}.");
            return Usage;
        }
        if (input.DeliveryId is not null)
        {
            output.WriteLine($"{Path.GetFileName(sampleFile)}: \"delivery_id\" is for the route, which reads the gateway's delivery log; give the CLI a \"sample\".");
            return Usage;
        }

        var attributeTypes = new AttributeTypeCatalog(TimeProvider.System);
        if (contactFile is not null)
        {
            string answer;
            try
            {
                answer = await File.ReadAllTextAsync(contactFile, cancellationToken);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                output.WriteLine($"cannot read {contactFile} ({exception.GetType().Name})");
                return Usage;
            }
            if (attributeTypes.LearnFromContactAnswer(answer) == 0)
            {
                output.WriteLine($"{Path.GetFileName(contactFile)} shows no attribute definitions: expected Libromi's GET /contact/{{phone}} answer with contact.contact_attributes[].attribute_field.");
                return Usage;
            }
        }

        var sampleContact = input.SamplePhone is null
            ? null
            : new SampleContactReport("not_available", "The CLI does not call Libromi; save the contact's GET /contact/{phone} answer and pass it with --contact.");
        var secrets = new ConfigurationSecretSource(new ConfigurationBuilder().AddEnvironmentVariables().Build());
        var report = await IntegrationDryRun.RunAsync(integration, IntegrationDryRun.Live, input.ToWebhookRequest(new Uri(LocalGateway, $"api/hooks/{Uri.EscapeDataString(integration.Name)}")),
            secrets, TimeProvider.System, maxItems: new Webhooks.HookOptions().MaxItemsPerDelivery, attributeTypes, sampleContact, cancellationToken: cancellationToken);

        output.WriteLine(JsonSerializer.Serialize(report, DryRunReport.JsonOptions));
        return report.Outcome is "accepted" or "ignored" && report.AttributeTypes.Warnings.Count == 0 ? WouldBeAccepted : WouldBeRefused;
    }

    private static bool TryReadJson(string file, TextWriter output, out JsonNode? root)
    {
        root = null;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"cannot read {file} ({exception.GetType().Name})");
        }
        catch (JsonException exception)
        {
            output.WriteLine($"{Path.GetFileName(file)} is not valid JSON: {exception.Message}");
        }
        return false;
    }
}
