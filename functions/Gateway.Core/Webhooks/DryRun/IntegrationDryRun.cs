using Libromi.Gateway.Ingest;
using System.Text.Json.Nodes;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Secrets;

namespace Libromi.Gateway.Webhooks.DryRun;

/// <summary>
/// Runs a sample delivery through an integration the way the hook route does (<see cref="WebhookVerification"/>, then
/// <see cref="PayloadMapper"/> with the same item limit) and reports every step, without queueing or recording
/// anything. There is no second mapper here: the report is read off a <see cref="MappingTrace"/> the real mapper
/// filled, and the field errors are the mapper's own. Both the admin route and the CLI call this.
/// </summary>
public static class IntegrationDryRun
{
    public const string Live = "live";
    public const string Draft = "draft";
    /// <summary>The outcome of a logged delivery whose body the log cut to its size cap: not mapped.</summary>
    public const string BodyTruncated = "body_truncated";

    /// <param name="definition"><see cref="Live"/> or <see cref="Draft"/>, for the report.</param>
    /// <param name="sampleContact">What reading the author's sample contact came to, when one was named.</param>
    /// <param name="logged">
    /// The delivery of the delivery log the sample was read from, when it was: verification is then skipped (the log
    /// keeps no headers), and a body the log cut to its size cap is not mapped (outcome <see cref="BodyTruncated"/>):
    /// mapping part of a body would report values and errors the real delivery never had.
    /// </param>
    public static async Task<DryRunReport> RunAsync(
        IntegrationDefinition integration,
        string definition,
        WebhookRequest sample,
        ISecretSource secrets,
        TimeProvider timeProvider,
        int maxItems,
        AttributeTypeCatalog attributeTypes,
        SampleContactReport? sampleContact,
        LoggedDeliveryReport? logged = null,
        CancellationToken cancellationToken = default)
    {
        var verification = logged is null
            ? Report(await WebhookVerification.VerifyAsync(integration, sample, secrets, timeProvider, cancellationToken).ConfigureAwait(false))
            : new VerificationReport("skipped", integration.Verification.SchemeType.Name, "headers_not_logged",
                "the delivery log keeps no headers (signatures and tokens travel there), so verification was skipped and only the mapping was tested", null);
        if (logged is { BodyTruncated: true })
        {
            return new DryRunReport(integration.Name, definition, verification, BodyTruncated,
                $"The delivery log kept only the first {logged.BodyBytesKept} of the delivery's {logged.BodyBytes} bytes, so the body was not mapped: "
                    + "a cut body would report values and errors the delivery never had. Send the full body as a \"sample\" instead.",
                null, 0, [], [], new AttributeTypesReport([], [], sampleContact), logged);
        }

        var trace = new MappingTrace();
        var mapping = PayloadMapper.Map(integration, sample, maxItems, trace);
        var (outcome, detail, errors) = mapping switch
        {
            MappingResult.Mapped mapped => (MappedOutcome(mapped, integration.Name, timeProvider.GetUtcNow(), out var tooLarge), tooLarge, (IReadOnlyDictionary<string, string[]>?)null),
            MappingResult.Invalid invalid => ("invalid", "The delivery cannot be mapped to Libromi operations; nothing would be accepted.", invalid.Errors),
            MappingResult.TooManyItems tooMany => ("too_many_items", $"The delivery holds {tooMany.Count} items; at most {tooMany.Limit} are accepted in one delivery.", null),
            MappingResult.MalformedBody { Reason: MalformedBodyReason.UnsupportedContentType } malformed => ("unsupported_media_type", malformed.Detail, null),
            MappingResult.MalformedBody malformed => ("malformed_body", malformed.Detail, null),
            _ => throw new InvalidOperationException($"Unknown mapping result {mapping.GetType().Name}."),
        };
        // The route verifies before it maps: a delivery that fails verification never reaches the mapper's verdict.
        outcome = verification.Verdict switch
        {
            "failed" => "unverified",
            "secret_unavailable" => "secret_unavailable",
            _ => outcome,
        };

        var contacts = mapping is MappingResult.Mapped ok ? ok.Items.ToDictionary(i => i.Index, i => i.Operations) : null;
        var items = trace.Items.Select(item => new ItemReport(
            item.Index,
            new DeliveryIdReport(item.Identity!.Source, item.Identity.Key),
            Ignored: !item.Operations.Any(o => o.Matched),
            [.. item.Operations.Select(Report)],
            contacts is null ? null : [.. contacts[item.Index].Select(c => new ContactReport(c.PhoneNumber.Digits, c.Steps))])).ToList();

        return new DryRunReport(
            integration.Name,
            definition,
            verification,
            outcome,
            detail,
            errors,
            trace.Items.Count,
            items,
            UnresolvedPaths(integration, trace),
            CheckAttributes(trace, attributeTypes, sampleContact),
            logged);
    }

    /// <summary>
    /// <c>accepted</c> or <c>ignored</c>, unless one contact's operations outgrow a queue message, which the route refuses
    /// with 413 before it writes anything; measured by the ingest's own <see cref="OperationIngestor.Prepare"/>.
    /// </summary>
    private static string MappedOutcome(MappingResult.Mapped mapped, string integration, DateTimeOffset now, out string? detail)
    {
        foreach (var item in mapped.Items)
        {
            foreach (var operations in item.Operations)
            {
                var size = OperationIngestor.Prepare(operations, WebhookIngestor.SourceOf(integration), Lane.Realtime, correlationId: null, now).JsonBytes;
                if (size > OperationIngestor.MaxOperationJsonBytes)
                {
                    detail = $"The operation of items[{item.Index}] is {size} bytes as stored; at most {OperationIngestor.MaxOperationJsonBytes} bytes fit one queue message.";
                    return "operation_too_large";
                }
            }
        }
        detail = null;
        return mapped.Items.All(i => i.IsIgnored) ? "ignored" : "accepted";
    }

    private static VerificationReport Report(VerificationResult result) => result switch
    {
        VerificationResult.Verified verified => new("verified", verified.Scheme, null, null, null),
        // No signature header at all: the author is testing the mapping with an unsigned sample.
        VerificationResult.Failed { Reason: VerificationFailure.MissingHeader } unsigned => new("skipped", unsigned.Scheme, unsigned.ReasonCode,
            $"the sample is unsigned ({unsigned.Detail}), so verification was skipped; a real delivery without it is refused with 401", null),
        VerificationResult.Failed failed => new("failed", failed.Scheme, failed.ReasonCode, failed.Detail, null),
        VerificationResult.SecretUnavailable unavailable => new("secret_unavailable", unavailable.Scheme, VerificationResult.SecretUnavailable.ReasonCode,
            unavailable.Detail, unavailable.SecretName),
        _ => throw new InvalidOperationException($"Unknown verification result {result.GetType().Name}."),
    };

    private static OperationReport Report(OperationTrace operation) => new(
        operation.Index,
        operation.Definition switch
        {
            OperationDefinition.UpsertContact => "upsert_contact",
            OperationDefinition.AssignStaff => "assign_staff",
            OperationDefinition.TriggerScenario => "trigger_scenario",
            _ => throw new InvalidOperationException($"Unknown operation {operation.Definition.GetType().Name}."),
        },
        operation.Matched,
        operation.When is { } when ? Report(when) : null,
        [.. operation.Values.Select(v => new ValueReport(v.Field, v.Source.ToString(), v.Resolved, v.Value?.DeepClone()))]);

    private static WhenReport Report(ConditionTrace when)
    {
        var (test, expected) = when.Condition switch
        {
            Condition.EqualsValue equals => ("equals", equals.Expected?.DeepClone()),
            Condition.InValues among => ("in", (JsonNode?)new JsonArray([.. among.Candidates.Select(c => c?.DeepClone())])),
            Condition.Exists exists => ("exists", JsonValue.Create(exists.ShouldExist)),
            _ => throw new InvalidOperationException($"Unknown condition {when.Condition.GetType().Name}."),
        };
        return new WhenReport(when.Condition.Path.Text, test, expected, when.Resolved, when.Found?.DeepClone(), when.Matched);
    }

    private static List<UnresolvedPath> UnresolvedPaths(IntegrationDefinition integration, MappingTrace trace)
    {
        var paths = new List<UnresolvedPath>();
        var deliveryId = integration.DeliveryId ?? integration.Verification.SchemeType.DefaultDeliveryId;
        foreach (var item in trace.Items)
        {
            foreach (var operation in item.Operations)
            {
                if (operation.When is { Resolved: false } when)
                {
                    paths.Add(new UnresolvedPath(item.Index, operation.Index, "when", when.Condition.Path.Text));
                }
                paths.AddRange(operation.Values
                    .Where(v => !v.Resolved && v.Source is ValueSource.FromPath)
                    .Select(v => new UnresolvedPath(item.Index, operation.Index, v.Field, v.Source.ToString())));
            }
            // The mapper falls back to the body's hash when the identity path (configured, or the scheme's) is absent.
            if (deliveryId is DeliveryIdSource.ItemPath idPath && item.Identity?.Source != "path")
            {
                paths.Add(new UnresolvedPath(item.Index, null, "delivery_id", idPath.Path.Text));
            }
        }
        return paths;
    }

    private static AttributeTypesReport CheckAttributes(MappingTrace trace, AttributeTypeCatalog attributeTypes, SampleContactReport? sampleContact)
    {
        const string Prefix = "attributes.";
        var warnings = new List<AttributeWarning>();
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var item in trace.Items)
        {
            foreach (var value in item.Operations.Where(o => o.Matched).SelectMany(o => o.Values))
            {
                if (!value.Resolved || !value.Field.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    continue;
                }
                var name = value.Field[Prefix.Length..];
                if (!attributeTypes.TryGet(name, out var learned))
                {
                    unknown.Add(name);
                    continue;
                }
                if (AttributeValueCheck.Problem(learned.Definition, value.Value) is { } problem)
                {
                    warnings.Add(new AttributeWarning(item.Index, $"items[{item.Index}].{value.Field}", name,
                        learned.Definition.FieldType, learned.Definition.IsReadOnly, problem));
                }
            }
        }
        return new AttributeTypesReport(warnings, [.. unknown], sampleContact);
    }
}
