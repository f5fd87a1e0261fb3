using System.Net.Mail;
using System.Text.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Ingest;

/// <summary>
/// Parses and validates the canonical routes' bodies. Unknown fields are refused (a typo such as
/// <c>phone</c> for <c>phone_number</c> would otherwise silently drop data).
/// </summary>
public static class CanonicalRequestParser
{
    private const int MaxAttributeNameLength = 100;
    private const int MaxAttributes = 200;

    private const int MaxDepth = 16;

    public static ParseResult ParseContact(ReadOnlyMemory<byte> body, string? defaultCountryCode)
    {
        if (!TryParseObject(body, out var root, out var malformed))
        {
            return ParseResult.Malformed(malformed);
        }
        var errors = new Dictionary<string, string[]>();
        RefuseUnknownFields(root, errors, "phone_number", "attributes", "staff_email");
        var phone = ReadPhone(root, defaultCountryCode, errors);

        JsonObject? attributes = null;
        if (root.TryGetPropertyValue("attributes", out var node) && node is not null)
        {
            attributes = ReadAttributes(node, errors);
        }
        // Optional: "upsert, then assign" in one operation, so the assignment cannot overtake the upsert
        // (two separate requests are two queue messages, processed concurrently).
        string? staffEmail = null;
        if (root.ContainsKey("staff_email"))
        {
            staffEmail = ReadString(root, "staff_email", errors);
            if (staffEmail is not null && !IsEmail(staffEmail))
            {
                errors["staff_email"] = ["Must be an email address (Libromi identifies staff by their email)."];
            }
        }
        if (errors.Count > 0 || phone is null)
        {
            return ParseResult.Invalid(errors);
        }
        OperationStep upsert = attributes is { Count: > 0 } ? OperationStep.UpdateAttributes(attributes) : OperationStep.EnsureContact();
        OperationStep[] steps = staffEmail is null ? [upsert] : [upsert, OperationStep.AssignStaff(staffEmail)];
        return ParseResult.Valid(new ContactOperations(phone.Value, steps));
    }

    public static ParseResult ParseStaffAssignment(ReadOnlyMemory<byte> body, string? defaultCountryCode)
    {
        if (!TryParseObject(body, out var root, out var malformed))
        {
            return ParseResult.Malformed(malformed);
        }
        var errors = new Dictionary<string, string[]>();
        RefuseUnknownFields(root, errors, "phone_number", "staff_email");
        var phone = ReadPhone(root, defaultCountryCode, errors);
        var email = ReadString(root, "staff_email", errors);
        if (email is not null && !IsEmail(email))
        {
            errors["staff_email"] = ["Must be an email address (Libromi identifies staff by their email)."];
        }
        if (errors.Count > 0 || phone is null || email is null)
        {
            return ParseResult.Invalid(errors);
        }
        return ParseResult.Valid(new ContactOperations(phone.Value, [OperationStep.AssignStaff(email)]));
    }

    /// <summary>
    /// <c>{"scenario": "...", "phone_number": "...", "fields": {...}}</c>: the flat body a Libromi webhook scenario
    /// learned from its sample POST, with the phone number normalised to Libromi's digits form.
    /// </summary>
    /// <param name="isConfigured">Whether a scenario of that name is configured (its URL is looked up only when sending).</param>
    public static ParseResult ParseScenarioTrigger(ReadOnlyMemory<byte> body, string? defaultCountryCode, Func<string, bool> isConfigured)
    {
        if (!TryParseObject(body, out var root, out var malformed))
        {
            return ParseResult.Malformed(malformed);
        }
        var errors = new Dictionary<string, string[]>();
        RefuseUnknownFields(root, errors, "scenario", "phone_number", "fields");
        var phone = ReadPhone(root, defaultCountryCode, errors);
        var scenario = ReadString(root, "scenario", errors);
        if (scenario is not null)
        {
            scenario = CheckScenarioName(scenario, isConfigured, errors, "scenario");
        }
        JsonObject? fields = null;
        if (root.TryGetPropertyValue("fields", out var node) && node is not null)
        {
            fields = ReadScenarioFields(node, errors);
        }
        if (errors.Count > 0 || phone is null || scenario is null)
        {
            return ParseResult.Invalid(errors);
        }
        return ParseResult.Valid(new ContactOperations(phone.Value, [OperationStep.TriggerScenario(scenario, phone.Value, fields)]));
    }

    /// <summary>The scenario's name when it is configured; otherwise an error naming it (sanitised), and null.</summary>
    public static string? CheckScenarioName(string scenario, Func<string, bool> isConfigured, IDictionary<string, string[]> errors, string key)
    {
        if (!Scenarios.ScenarioOptions.IsValidName(scenario))
        {
            errors[key] = [$"Scenario names are letters, digits, '_' and '-' (at most {Scenarios.ScenarioOptions.MaxNameLength})."];
            return null;
        }
        if (!isConfigured(scenario))
        {
            errors[key] = [$"No scenario named '{scenario}' is configured (Scenarios__Definitions__{scenario}__Secret)."];
            return null;
        }
        return scenario;
    }

    /// <summary>
    /// A scenario's fields: a flat object of strings, numbers and booleans, the values a <c>SEND_TEMPLATE</c> node
    /// can put in a template variable. <c>phone_number</c> comes from the request's own field.
    /// </summary>
    public static JsonObject? ReadScenarioFields(JsonNode node, IDictionary<string, string[]> errors, string prefix = "fields")
    {
        if (node is not JsonObject source)
        {
            errors[prefix] = ["Must be a flat object of field name to string, number or boolean."];
            return null;
        }
        if (source.Count > MaxAttributes)
        {
            errors[prefix] = [$"At most {MaxAttributes} fields per scenario trigger."];
            return null;
        }
        var fields = new JsonObject();
        foreach (var (name, value) in source)
        {
            var key = $"{prefix}.{name}";
            if (string.IsNullOrWhiteSpace(name) || name.Length > MaxAttributeNameLength)
            {
                errors[prefix] = [$"Field names must be 1 to {MaxAttributeNameLength} characters."];
                continue;
            }
            if (name == OperationStep.ScenarioPhoneField)
            {
                errors[key] = ["Set by the operation's phone number (normalised); leave it out of the fields."];
                continue;
            }
            switch (value?.GetValueKind())
            {
                case JsonValueKind.String or JsonValueKind.True or JsonValueKind.False:
                    fields[name] = value.DeepClone();
                    break;
                case JsonValueKind.Number when value.AsValue().TryGetValue<double>(out var number) && double.IsFinite(number):
                    fields[name] = value.DeepClone();
                    break;
                default:
                    errors[Http.Problems.Sanitize(key) ?? prefix] = ["Must be a string, number or boolean (the scenario's body is flat)."];
                    break;
            }
        }
        return fields;
    }

    public static bool IsEmail(string value) =>
        value.Length <= 254 && MailAddress.TryCreate(value, out var address) && address.Address == value && value.Contains('.', StringComparison.Ordinal);

    /// <summary>
    /// Libromi's attribute values: strings (text, email, url, phone, date, select), numbers, booleans, arrays of
    /// strings (multiselect) and null or "" (removal). Objects have no Libromi type and are refused.
    /// </summary>
    public static JsonObject? ReadAttributes(JsonNode node, IDictionary<string, string[]> errors, string prefix = "attributes")
    {
        if (node is not JsonObject source)
        {
            errors[prefix] = ["Must be an object of attribute name to value."];
            return null;
        }
        if (source.Count > MaxAttributes)
        {
            errors[prefix] = [$"At most {MaxAttributes} attributes per operation."];
            return null;
        }
        var attributes = new JsonObject();
        foreach (var (name, value) in source)
        {
            var key = $"{prefix}.{name}";
            if (string.IsNullOrWhiteSpace(name) || name.Length > MaxAttributeNameLength)
            {
                errors[prefix] = [$"Attribute names must be 1 to {MaxAttributeNameLength} characters."];
                continue;
            }
            switch (value?.GetValueKind())
            {
                case null or JsonValueKind.Null or JsonValueKind.String or JsonValueKind.True or JsonValueKind.False:
                    attributes[name] = value?.DeepClone();
                    break;
                case JsonValueKind.Number when value.AsValue().TryGetValue<double>(out var number) && double.IsFinite(number):
                    attributes[name] = value.DeepClone();
                    break;
                case JsonValueKind.Array when value.AsArray().All(item => item?.GetValueKind() == JsonValueKind.String):
                    attributes[name] = value.DeepClone();
                    break;
                case JsonValueKind.Number:
                    errors[key] = ["Must be a finite number."];
                    break;
                default:
                    errors[key] = ["Must be a string, number, boolean, array of strings, or null to remove it."];
                    break;
            }
        }
        return attributes;
    }

    private static bool TryParseObject(ReadOnlyMemory<byte> body, out JsonObject root, out string error)
    {
        root = null!;
        if (body.IsEmpty)
        {
            error = "The request body is empty; send a JSON object.";
            return false;
        }
        if (!Http.JsonText.TryParse(body.Span, MaxDepth, out var node, out var invalid))
        {
            error = $"The request body is not valid JSON: {invalid}.";
            return false;
        }
        if (node is JsonObject obj)
        {
            root = obj;
            error = string.Empty;
            return true;
        }
        error = "The request body must be a JSON object.";
        return false;
    }

    private static void RefuseUnknownFields(JsonObject root, Dictionary<string, string[]> errors, params string[] known)
    {
        foreach (var (name, _) in root)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                errors[Problems(name)] = [$"Unknown field; expected only {string.Join(", ", known)}."];
            }
        }

        static string Problems(string name) => Http.Problems.Sanitize(name) ?? "(field)";
    }

    private static PhoneNumber? ReadPhone(JsonObject root, string? defaultCountryCode, Dictionary<string, string[]> errors)
    {
        var raw = root["phone_number"];
        string? text = raw?.GetValueKind() switch
        {
            JsonValueKind.String => raw.GetValue<string>(),
            // Spreadsheets and forms often send numbers as JSON numbers.
            JsonValueKind.Number when raw.AsValue().TryGetValue<long>(out var digits) => digits.ToString(System.Globalization.CultureInfo.InvariantCulture),
            null or JsonValueKind.Null => null,
            _ => "\u0000",
        };
        if (text == "\u0000")
        {
            errors["phone_number"] = ["Must be a string such as \"+44 7700 900123\"."];
            return null;
        }
        if (!PhoneNumber.TryParse(text, defaultCountryCode, out var phone, out var error))
        {
            errors["phone_number"] = [error];
            return null;
        }
        return phone;
    }

    private static string? ReadString(JsonObject root, string name, Dictionary<string, string[]> errors)
    {
        var node = root[name];
        if (node?.GetValueKind() == JsonValueKind.String && node.GetValue<string>() is { Length: > 0 } value)
        {
            return value.Trim();
        }
        errors[name] = [node is null ? "This field is required." : "Must be a non-empty string."];
        return null;
    }
}

/// <summary>A parsed canonical request: operations, field errors, or a body that is not JSON at all.</summary>
public sealed record ParseResult(ContactOperations? Operations, IDictionary<string, string[]>? Errors, string? MalformedReason)
{
    public static ParseResult Valid(ContactOperations operations) => new(operations, null, null);
    public static ParseResult Invalid(IDictionary<string, string[]> errors) => new(null, errors, null);
    public static ParseResult Malformed(string reason) => new(null, null, reason);
}
