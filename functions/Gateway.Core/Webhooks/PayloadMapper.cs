using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// Maps a verified delivery to Libromi operations with its integration's rules. Pure: no I/O, no clock. Call it only
/// after <see cref="WebhookVerification"/> said <see cref="VerificationResult.Verified"/>.
/// </summary>
/// <remarks>
/// Items: the array at <c>items</c> when configured; otherwise a body that is a JSON array is a list of items
/// (HubSpot's batches); otherwise the body is one item. Within an item, matching operations for the same phone number
/// are gathered into one <see cref="ContactOperations"/> in file order; adjacent attribute updates merge into one call,
/// because Libromi asks for batched attribute changes and each call costs quota.
/// </remarks>
public static partial class PayloadMapper
{
    /// <param name="maxItems">
    /// Items one delivery may hold; more is <see cref="MappingResult.TooManyItems"/>, refused before any item is mapped.
    /// </param>
    /// <param name="trace">
    /// When given, records every <c>when</c> decided and every value read (the dry run); the result is the same.
    /// </param>
    public static MappingResult Map(IntegrationDefinition integration, WebhookRequest request, int maxItems = int.MaxValue, MappingTrace? trace = null)
    {
        if (!WebhookBody.TryRead(request, out var body, out var malformed))
        {
            return malformed!;
        }

        JsonArray? itemArray;
        if (integration.ItemsPath is { } itemsPath)
        {
            if (!itemsPath.TryResolve(body, out var itemsNode) || itemsNode is not JsonArray array)
            {
                return new MappingResult.Invalid(new Dictionary<string, string[]>
                {
                    ["items"] = [$"the body has no array at \"{itemsPath}\" (the integration's items setting)"],
                });
            }
            itemArray = array;
        }
        else
        {
            itemArray = body as JsonArray;
        }
        IReadOnlyList<JsonNode?> items = itemArray is null ? [body] : [.. itemArray];
        if (items.Count > maxItems)
        {
            return new MappingResult.TooManyItems(items.Count, maxItems);
        }

        var errors = new ItemErrors();
        var mapped = new List<MappedItem>(items.Count);
        var bodyHash = new Lazy<string>(() => Convert.ToHexStringLower(SHA256.HashData(request.Body.Span)));
        for (var index = 0; index < items.Count; index++)
        {
            var item = items[index];
            var itemTrace = trace?.StartItem(index);
            var identity = Identify(integration, request, item, index, items.Count, bodyHash);
            itemTrace?.Identity = identity;
            var operations = MapItem(integration, item, index, errors, itemTrace);
            mapped.Add(new MappedItem(index, identity, operations));
        }

        return errors.Any
            ? new MappingResult.Invalid(errors.ToDictionary())
            : new MappingResult.Mapped(mapped);
    }

    private static IReadOnlyList<ContactOperations> MapItem(IntegrationDefinition integration, JsonNode? item, int index, ItemErrors errors, ItemTrace? itemTrace)
    {
        // Phone number (digits) -> steps, in order of first appearance.
        var byPhone = new List<(PhoneNumber Phone, List<OperationStep> Steps)>();
        var prefix = $"items[{index}]";

        for (var operationIndex = 0; operationIndex < integration.Operations.Count; operationIndex++)
        {
            var operation = integration.Operations[operationIndex];
            var trace = itemTrace?.StartOperation(operationIndex, operation);
            if (operation.When is { } condition && !Matches(condition, item, trace))
            {
                continue;
            }

            var phone = ReadPhone(operation.PhoneNumber, item, integration.DefaultCountryCode, $"{prefix}.phone_number", errors, trace);
            OperationStep? step = operation switch
            {
                OperationDefinition.UpsertContact upsert => UpsertStep(upsert, item, prefix, errors, trace),
                OperationDefinition.AssignStaff assign => AssignStep(assign, item, prefix, errors, trace),
                OperationDefinition.TriggerScenario trigger => phone is { } digits ? ScenarioStep(trigger, digits, item, prefix, errors, trace) : null,
                _ => throw new InvalidOperationException($"Unknown operation {operation.GetType().Name}."),
            };
            if (phone is null || step is null)
            {
                continue;
            }

            var entry = byPhone.FindIndex(e => e.Phone == phone.Value);
            if (entry < 0)
            {
                byPhone.Add((phone.Value, [step]));
                continue;
            }
            var steps = byPhone[entry].Steps;
            if (step.Kind == OperationKind.UpdateAttributes && steps[^1].Kind == OperationKind.UpdateAttributes)
            {
                var merged = (JsonObject)steps[^1].Attributes!.DeepClone();
                foreach (var (name, value) in step.Attributes!)
                {
                    merged[name] = value?.DeepClone();
                }
                steps[^1] = OperationStep.UpdateAttributes(merged);
            }
            else
            {
                steps.Add(step);
            }
        }

        return [.. byPhone.Select(e => new ContactOperations(e.Phone, e.Steps))];
    }

    private static PhoneNumber? ReadPhone(ValueSource source, JsonNode? item, string? defaultCountryCode, string key, ItemErrors errors, OperationTrace? trace)
    {
        var resolved = TryRead(source, item, out var node);
        trace?.Read("phone_number", source, resolved, node);
        if (!resolved || node is null)
        {
            errors.Add(key, $"no phone number at \"{source}\"");
            return null;
        }
        var text = ScalarText(node);
        if (text is null || node.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number))
        {
            errors.Add(key, $"the value at \"{source}\" is not a phone number (found a {Describe(node)})");
            return null;
        }
        if (!PhoneNumber.TryParse(text, defaultCountryCode, out var phone, out var error))
        {
            errors.Add(key, error);
            return null;
        }
        return phone;
    }

    /// <summary>
    /// A missing path omits the attribute (Libromi keeps its current value); a JSON null or "" that is present is
    /// passed on, and Libromi removes the attribute. Objects, and arrays of anything but strings, are refused: Libromi
    /// attributes are flat, and stringified JSON in a CRM field is worse than a clear error.
    /// </summary>
    private static OperationStep? UpsertStep(OperationDefinition.UpsertContact upsert, JsonNode? item, string prefix, ItemErrors errors, OperationTrace? trace)
    {
        var attributes = new JsonObject();
        var valid = true;
        foreach (var (name, source) in upsert.Attributes)
        {
            var resolved = TryRead(source, item, out var value);
            trace?.Read($"attributes.{name}", source, resolved, value);
            if (!resolved)
            {
                continue;
            }
            var acceptable = value switch
            {
                null => true,
                JsonValue => true,
                JsonArray array => array.All(e => e?.GetValueKind() == JsonValueKind.String),
                _ => false,
            };
            if (!acceptable)
            {
                errors.Add($"{prefix}.attributes.{name}",
                    $"the value at \"{source}\" is a {Describe(value)}; an attribute takes a string, number, boolean, null or an array of strings (map a field inside it instead)");
                valid = false;
                continue;
            }
            attributes[name] = value?.DeepClone();
        }

        if (!valid)
        {
            return null;
        }
        // Nothing to write still means "this contact should exist": Libromi creates a contact on a lookup.
        return attributes.Count == 0 ? OperationStep.EnsureContact() : OperationStep.UpdateAttributes(attributes);
    }

    /// <summary>
    /// The scenario's flat body, read like attributes: a missing path or a null leaves the field out (the template
    /// falls back to what Libromi does with a missing variable); objects and arrays are refused.
    /// </summary>
    private static OperationStep? ScenarioStep(OperationDefinition.TriggerScenario trigger, PhoneNumber phone, JsonNode? item, string prefix, ItemErrors errors, OperationTrace? trace)
    {
        var fields = new JsonObject();
        var valid = true;
        foreach (var (name, source) in trigger.Fields)
        {
            var resolved = TryRead(source, item, out var value);
            trace?.Read($"fields.{name}", source, resolved, value);
            if (!resolved || value is null)
            {
                continue;
            }
            if (value is not JsonValue)
            {
                errors.Add($"{prefix}.fields.{name}", $"the value at \"{source}\" is a {Describe(value)}; a scenario field takes a string, number or boolean (map a field inside it instead)");
                valid = false;
                continue;
            }
            fields[name] = value.DeepClone();
        }
        return valid ? OperationStep.TriggerScenario(trigger.Scenario, phone, fields) : null;
    }

    private static OperationStep? AssignStep(OperationDefinition.AssignStaff assign, JsonNode? item, string prefix, ItemErrors errors, OperationTrace? trace)
    {
        var key = $"{prefix}.staff_email";
        var resolved = TryRead(assign.StaffEmail, item, out var node);
        trace?.Read("staff_email", assign.StaffEmail, resolved, node);
        if (!resolved || node is null)
        {
            errors.Add(key, $"no staff email at \"{assign.StaffEmail}\"");
            return null;
        }
        var email = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>().Trim() : null;
        if (email is null || !EmailShape().IsMatch(email))
        {
            errors.Add(key, $"the value at \"{assign.StaffEmail}\" is not an email address (Libromi identifies staff by email)");
            return null;
        }
        return OperationStep.AssignStaff(email);
    }

    private static DeliveryIdentity Identify(IntegrationDefinition integration, WebhookRequest request, JsonNode? item, int index, int count, Lazy<string> bodyHash)
    {
        // Identities that belong to the whole delivery get the item's index, so each item still has its own key.
        DeliveryIdentity PerDelivery(string source, string value) =>
            new(source, count > 1 ? $"{source}:{SafeKeyPart(value)}:{index.ToString(CultureInfo.InvariantCulture)}" : $"{source}:{SafeKeyPart(value)}");

        var scheme = integration.Verification.SchemeType;
        var configured = integration.DeliveryId ?? scheme.DefaultDeliveryId;

        switch (configured)
        {
            case DeliveryIdSource.Header header when request.Headers[header.Name] is { } value:
                return PerDelivery(scheme.IdentitySource(header), value.Trim());
            case DeliveryIdSource.ItemPath path when path.Path.TryResolve(item, out var node) && node is JsonValue && ScalarText(node) is { Length: > 0 } text:
                return new("path", $"path:{SafeKeyPart(text)}");
            default:
                return PerDelivery("body-sha256", bodyHash.Value);
        }
    }

    private static string SafeKeyPart(string value) =>
        SafeKeyPattern().IsMatch(value) ? value : "sha256-" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)));

    // Azure Table keys forbid / \ # ? and control characters; 200 leaves room for the prefix and index within 256.
    [GeneratedRegex("^[A-Za-z0-9._~@+=,;:!$'()*-]{1,200}$")]
    private static partial Regex SafeKeyPattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+$")]
    private static partial Regex EmailShape();

    private static bool TryRead(ValueSource source, JsonNode? item, out JsonNode? value)
    {
        switch (source)
        {
            case ValueSource.Literal literal:
                value = literal.Value;
                return true;
            case ValueSource.FromPath fromPath:
                return fromPath.Path.TryResolve(item, out value);
            default:
                throw new InvalidOperationException($"Unknown value source {source.GetType().Name}.");
        }
    }

    private static bool Matches(Condition condition, JsonNode? item, OperationTrace? trace)
    {
        var present = condition.Path.TryResolve(item, out var value);
        var matched = condition switch
        {
            Condition.Exists exists => exists.ShouldExist == (present && value is not null),
            Condition.EqualsValue equals => present && ScalarEquals(value, equals.Expected),
            Condition.InValues among => present && among.Candidates.Any(c => ScalarEquals(value, c)),
            _ => throw new InvalidOperationException($"Unknown condition {condition.GetType().Name}."),
        };
        trace?.When = new ConditionTrace(condition, present, value?.DeepClone(), matched);
        return matched;
    }

    /// <summary>
    /// Compares as text, so a form post's "1" or "true" matches 1 or true in the file; when either side is a JSON
    /// number both are compared as numbers (1 equals 1.0), otherwise ordinally.
    /// </summary>
    private static bool ScalarEquals(JsonNode? actual, JsonNode? expected)
    {
        if (actual is null || expected is null)
        {
            return actual is null && expected is null;
        }
        var actualText = ScalarText(actual);
        var expectedText = ScalarText(expected);
        if (actualText is null || expectedText is null)
        {
            return false;
        }
        var eitherIsNumber = actual.GetValueKind() == JsonValueKind.Number || expected.GetValueKind() == JsonValueKind.Number;
        if (eitherIsNumber
            && decimal.TryParse(actualText, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            && decimal.TryParse(expectedText, NumberStyles.Float, CultureInfo.InvariantCulture, out var b))
        {
            return a == b;
        }
        return string.Equals(actualText, expectedText, StringComparison.Ordinal);
    }

    private static string? ScalarText(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.String => node.GetValue<string>(),
        JsonValueKind.Number => node.ToJsonString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static string Describe(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.Object => "JSON object",
        JsonValueKind.Array => "JSON array",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => "number",
        JsonValueKind.String => "string",
        _ => "null",
    };

    private sealed class ItemErrors
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public bool Any => _errors.Count > 0;

        public void Add(string key, string message)
        {
            if (!_errors.TryGetValue(key, out var messages))
            {
                _errors[key] = messages = [];
            }
            if (!messages.Contains(message))
            {
                messages.Add(message);
            }
        }

        public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }
}
