using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// Parses and validates the integrations file (<c>Gateway__IntegrationsFile</c>). Every problem is collected, not just
/// the first, and each names its field. Unknown fields are errors: a misspelt <c>atributes</c> would otherwise silently
/// map nothing. Comments and trailing commas are allowed because operators edit this file by hand.
/// </summary>
public static partial class IntegrationsFile
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        // A key written twice is a mistake the author must see, not one value silently winning.
        AllowDuplicateProperties = false,
    };

    /// <summary>
    /// The widest timestamp tolerance a definition may set. A signature replayed inside the tolerance is refused
    /// only by deduplication, so the tolerance must stay far inside the deduplication window (24 h by default);
    /// an hour covers any honest clock skew or sender queue.
    /// </summary>
    public const int MaxToleranceSeconds = 3600;

    /// <summary>
    /// Reads and validates the file at <paramref name="path"/> exactly as the gateway does at start-up and on reload, so
    /// that <c>gateway integrations check</c> and a starting host can never disagree.
    /// </summary>
    public static bool TryLoad(
        string path,
        [NotNullWhen(true)] out IReadOnlyDictionary<string, IntegrationDefinition>? integrations,
        [NotNullWhen(false)] out IReadOnlyList<IntegrationsFileError>? errors)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            integrations = null;
            errors = [new IntegrationsFileError("(file)", $"cannot be read ({ex.GetType().Name}): {path}")];
            return false;
        }
        return TryParse(json, out integrations, out errors);
    }

    /// <summary>Parses <paramref name="json"/>, or throws <see cref="IntegrationsFileException"/> listing every problem.</summary>
    public static IReadOnlyDictionary<string, IntegrationDefinition> Parse(string json, string fileName) =>
        TryParse(json, out var integrations, out var errors)
            ? integrations
            : throw new IntegrationsFileException(fileName, errors);

    public static bool TryParse(
        string json,
        [NotNullWhen(true)] out IReadOnlyDictionary<string, IntegrationDefinition>? integrations,
        [NotNullWhen(false)] out IReadOnlyList<IntegrationsFileError>? errors)
    {
        var reader = new Reader();
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: DocumentOptions);
        }
        catch (JsonException ex)
        {
            integrations = null;
            errors = [new IntegrationsFileError("(file)", $"not valid JSON: {ex.Message}")];
            return false;
        }

        var result = reader.ReadRoot(root);
        if (reader.Errors.Count > 0)
        {
            integrations = null;
            errors = reader.Errors;
            return false;
        }

        integrations = result;
        errors = null;
        return true;
    }

    /// <summary>
    /// Validates one integration's definition, a draft that is not in any file yet, exactly as the file's entry
    /// <c>integrations.{name}</c> would be: the same reader, the same messages, the same field names.
    /// </summary>
    public static bool TryParseDefinition(
        string name,
        JsonObject definition,
        [NotNullWhen(true)] out IntegrationDefinition? integration,
        [NotNullWhen(false)] out IReadOnlyList<IntegrationsFileError>? errors)
    {
        var reader = new Reader();
        var file = new JsonObject { ["integrations"] = new JsonObject { [name] = definition.DeepClone() } };
        var result = reader.ReadRoot(file);
        if (reader.Errors.Count > 0 || !result.TryGetValue(name, out integration))
        {
            integration = null;
            errors = reader.Errors.Count > 0 ? reader.Errors : [new IntegrationsFileError($"integrations.{name}", "is not a valid definition")];
            return false;
        }
        errors = null;
        return true;
    }

    // Key Vault secret names: 1-127 characters, letters, digits and dashes. The same names are configuration keys
    // locally (Gateway__Secrets__{name}), so one rule serves both.
    [GeneratedRegex("^[0-9A-Za-z-]{1,127}$")]
    private static partial Regex SecretNamePattern();

    [GeneratedRegex("^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")]
    private static partial Regex GuidPattern();

    [GeneratedRegex("^[0-9A-Fa-f]{32,}$")]
    private static partial Regex LongHexPattern();

    // Integration names become the route segment of /api/hooks/{integration}.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex IntegrationNamePattern();

    [GeneratedRegex("^[1-9][0-9]{0,2}$")]
    private static partial Regex CountryCodePattern();

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    private static partial Regex HeaderNamePattern();

    /// <summary>Null when <paramref name="name"/> is a usable secret name; otherwise why not, without echoing the value.</summary>
    internal static string? ProblemWithSecretName(string name)
    {
        // The problem text never repeats the value: if it is a real secret, it must not reach logs.
        if (name.StartsWith("whsec_", StringComparison.Ordinal))
        {
            return "looks like a literal Standard Webhooks secret (whsec_...); put the secret in Key Vault (or Gateway__Secrets__<name> locally) and write its name here";
        }
        if (GuidPattern().IsMatch(name) || LongHexPattern().IsMatch(name))
        {
            return "looks like a literal secret (a GUID or a long hex string); put the secret in Key Vault (or Gateway__Secrets__<name> locally) and write its name here";
        }
        if (!SecretNamePattern().IsMatch(name))
        {
            return "is not a secret name: use 1-127 letters, digits and dashes (a Key Vault secret name); the file never holds secret values";
        }
        return null;
    }

    /// <summary>The validator itself; <see cref="VerificationScheme"/>s read their fields through it (<see cref="VerifyBlock"/>).</summary>
    internal sealed class Reader
    {
        private static readonly string[] RootFields = ["integrations", "$schema"];
        private static readonly string[] IntegrationFields = ["description", "verify", "items", "operations", "default_country_code", "delivery_id"];
        private static readonly string[] OperationFields = ["when", "upsert_contact", "assign_staff", "trigger_scenario"];
        private static readonly string[] ScenarioFields = ["scenario", "phone_number", "fields"];
        private static readonly string[] WhenFields = ["path", "equals", "in", "exists"];
        private static readonly string[] UpsertFields = ["phone_number", "attributes"];
        private static readonly string[] AssignFields = ["phone_number", "staff_email"];
        private static readonly string[] DeliveryIdFields = ["header", "path"];

        public List<IntegrationsFileError> Errors { get; } = [];

        internal void Error(string field, string problem) => Errors.Add(new IntegrationsFileError(field, problem));

        public Dictionary<string, IntegrationDefinition> ReadRoot(JsonNode? root)
        {
            var result = new Dictionary<string, IntegrationDefinition>(StringComparer.OrdinalIgnoreCase);
            if (root is not JsonObject rootObject)
            {
                Error("(file)", "must be a JSON object with an \"integrations\" object");
                return result;
            }
            CheckFields(rootObject, "(file)", RootFields);

            if (!rootObject.TryGetPropertyValue("integrations", out var integrationsNode) || integrationsNode is not JsonObject integrations)
            {
                Error("integrations", "required: an object of integration name to definition");
                return result;
            }

            foreach (var (name, node) in integrations)
            {
                var field = $"integrations.{name}";
                if (!IntegrationNamePattern().IsMatch(name))
                {
                    Error(field, "an integration name is 1-64 letters, digits, '-' or '_' (it is the {integration} of /api/hooks/{integration})");
                    continue;
                }
                if (result.ContainsKey(name))
                {
                    Error(field, "duplicates another integration name (names are matched ignoring case)");
                    continue;
                }
                var definition = ReadIntegration(name, node, field);
                if (definition is not null)
                {
                    result[name] = definition;
                }
            }
            return result;
        }

        private IntegrationDefinition? ReadIntegration(string name, JsonNode? node, string field)
        {
            if (node is not JsonObject obj)
            {
                Error(field, "must be an object");
                return null;
            }
            var errorsBefore = Errors.Count;
            CheckFields(obj, field, IntegrationFields);
            OptionalString(obj, "description", field);

            var verification = obj.TryGetPropertyValue("verify", out var verifyNode)
                ? ReadVerify(verifyNode, $"{field}.verify")
                : Missing<VerificationSettings>($"{field}.verify", "required: how the gateway verifies this sender (see docs/integrations/README.md)");

            JsonPath? items = null;
            if (OptionalString(obj, "items", field) is { } itemsText)
            {
                items = ReadPath(itemsText, $"{field}.items");
            }

            string? countryCode = OptionalString(obj, "default_country_code", field);
            if (countryCode is not null && !CountryCodePattern().IsMatch(countryCode))
            {
                Error($"{field}.default_country_code", "must be a country calling code of 1-3 digits without '+', e.g. \"44\"");
            }

            DeliveryIdSource? deliveryId = obj.TryGetPropertyValue("delivery_id", out var deliveryNode)
                ? ReadDeliveryId(deliveryNode, $"{field}.delivery_id")
                : null;

            var operations = new List<OperationDefinition>();
            if (!obj.TryGetPropertyValue("operations", out var operationsNode) || operationsNode is not JsonArray operationArray || operationArray.Count == 0)
            {
                Error($"{field}.operations", "required: a non-empty array of operations (upsert_contact, assign_staff or trigger_scenario)");
            }
            else
            {
                for (var i = 0; i < operationArray.Count; i++)
                {
                    if (ReadOperation(operationArray[i], $"{field}.operations[{i}]") is { } operation)
                    {
                        operations.Add(operation);
                    }
                }
            }

            return Errors.Count == errorsBefore && verification is not null
                ? new IntegrationDefinition(name, verification, items, operations, countryCode, deliveryId)
                : null;
        }

        private VerificationSettings? ReadVerify(JsonNode? node, string field)
        {
            if (node is not JsonObject obj)
            {
                Error(field, "must be an object with a \"scheme\"");
                return null;
            }
            var scheme = RequiredString(obj, "scheme", field);
            if (scheme is null)
            {
                return null;
            }
            if (scheme == "none")
            {
                // /api/hooks is anonymous at the HTTP level; an unverified integration would let anyone on the internet
                // write contacts and spend the account's quota. Every sender we support can at least send a header.
                Error($"{field}.scheme", "\"none\" is not allowed: /api/hooks is open to the internet; a sender that cannot sign can send a shared token (scheme \"header-token\")");
                return null;
            }

            var schemeType = VerificationScheme.Find(scheme);
            if (schemeType is null)
            {
                Error($"{field}.scheme", $"unknown scheme \"{scheme}\"; expected one of: {string.Join(", ", VerificationSchemes.All)}");
                return null;
            }
            CheckFields(obj, field, [.. VerificationScheme.CommonFields, .. schemeType.Fields]);

            var secret = RequiredSecretName(obj, "secret", field);
            var previous = obj.ContainsKey("previous_secret") ? RequiredSecretName(obj, "previous_secret", field) : null;
            if (secret is null)
            {
                return null;
            }
            return schemeType.ReadSettings(new VerifyBlock(this, obj, field), secret, previous);
        }

        private DeliveryIdSource? ReadDeliveryId(JsonNode? node, string field)
        {
            if (node is not JsonObject obj || obj.Count != 1 || !(obj.ContainsKey("header") || obj.ContainsKey("path")))
            {
                if (node is JsonObject o)
                {
                    CheckFields(o, field, DeliveryIdFields);
                }
                Error(field, "must be { \"header\": NAME } or { \"path\": PATH }");
                return null;
            }
            if (obj.ContainsKey("header"))
            {
                var header = RequiredHeaderName(obj, "header", field);
                return header is null ? null : new DeliveryIdSource.Header(header);
            }
            var pathText = RequiredString(obj, "path", field);
            var path = pathText is null ? null : ReadPath(pathText, $"{field}.path");
            return path is null ? null : new DeliveryIdSource.ItemPath(path);
        }

        private OperationDefinition? ReadOperation(JsonNode? node, string field)
        {
            if (node is not JsonObject obj)
            {
                Error(field, "must be an object");
                return null;
            }
            CheckFields(obj, field, OperationFields);
            var errorsBefore = Errors.Count;
            var when = obj.TryGetPropertyValue("when", out var whenNode) ? ReadWhen(whenNode, $"{field}.when") : null;

            var hasUpsert = obj.TryGetPropertyValue("upsert_contact", out var upsertNode);
            var hasAssign = obj.TryGetPropertyValue("assign_staff", out var assignNode);
            var hasScenario = obj.TryGetPropertyValue("trigger_scenario", out var scenarioNode);
            if ((hasUpsert ? 1 : 0) + (hasAssign ? 1 : 0) + (hasScenario ? 1 : 0) != 1)
            {
                Error(field, "must have exactly one of \"upsert_contact\", \"assign_staff\" or \"trigger_scenario\"");
                return null;
            }
            if (hasScenario)
            {
                return ReadScenario(scenarioNode, $"{field}.trigger_scenario", when, errorsBefore);
            }

            if (hasUpsert)
            {
                var upsertField = $"{field}.upsert_contact";
                if (upsertNode is not JsonObject upsert)
                {
                    Error(upsertField, "must be an object with phone_number and attributes");
                    return null;
                }
                CheckFields(upsert, upsertField, UpsertFields);
                var phone = RequiredValueSource(upsert, "phone_number", upsertField, literalMustBeString: true);
                var attributes = new List<KeyValuePair<string, ValueSource>>();
                if (upsert.TryGetPropertyValue("attributes", out var attributesNode))
                {
                    if (attributesNode is not JsonObject attributeObject)
                    {
                        Error($"{upsertField}.attributes", "must be an object of attribute name to path or { \"value\": ... }");
                    }
                    else
                    {
                        foreach (var (name, valueNode) in attributeObject)
                        {
                            var attributeField = $"{upsertField}.attributes.{name}";
                            if (string.IsNullOrWhiteSpace(name))
                            {
                                Error(attributeField, "an attribute name must not be empty");
                                continue;
                            }
                            if (ReadValueSource(valueNode, attributeField, literalMustBeString: false) is { } source)
                            {
                                attributes.Add(new(name, source));
                            }
                        }
                    }
                }
                return phone is null || Errors.Count > errorsBefore ? null : new OperationDefinition.UpsertContact(when, phone, attributes);
            }

            var assignField = $"{field}.assign_staff";
            if (assignNode is not JsonObject assign)
            {
                Error(assignField, "must be an object with phone_number and staff_email");
                return null;
            }
            CheckFields(assign, assignField, AssignFields);
            var assignPhone = RequiredValueSource(assign, "phone_number", assignField, literalMustBeString: true);
            var staffEmail = RequiredValueSource(assign, "staff_email", assignField, literalMustBeString: true);
            return assignPhone is null || staffEmail is null || Errors.Count > errorsBefore
                ? null
                : new OperationDefinition.AssignStaff(when, assignPhone, staffEmail);
        }

        /// <summary>
        /// <c>{"scenario": NAME, "phone_number": SOURCE, "fields": {NAME: SOURCE}}</c>: fields are mapped like attributes
        /// (paths and literals); literals must be strings, numbers or booleans, since the scenario's body is flat.
        /// </summary>
        private OperationDefinition? ReadScenario(JsonNode? node, string field, Condition? when, int errorsBefore)
        {
            if (node is not JsonObject trigger)
            {
                Error(field, "must be an object with scenario, phone_number and fields");
                return null;
            }
            CheckFields(trigger, field, ScenarioFields);
            var scenario = RequiredString(trigger, "scenario", field);
            if (scenario is not null && !Scenarios.ScenarioOptions.IsValidName(scenario))
            {
                Error($"{field}.scenario", $"must be a scenario name (letters, digits, '_' and '-', at most {Scenarios.ScenarioOptions.MaxNameLength}) configured as Scenarios__Definitions__{{name}}__Secret");
            }
            var phone = RequiredValueSource(trigger, "phone_number", field, literalMustBeString: true);
            var fields = new List<KeyValuePair<string, ValueSource>>();
            if (trigger.TryGetPropertyValue("fields", out var fieldsNode))
            {
                if (fieldsNode is not JsonObject fieldObject)
                {
                    Error($"{field}.fields", "must be an object of field name to path or { \"value\": ... }");
                }
                else
                {
                    foreach (var (name, valueNode) in fieldObject)
                    {
                        var fieldName = $"{field}.fields.{name}";
                        if (string.IsNullOrWhiteSpace(name) || name == Operations.OperationStep.ScenarioPhoneField)
                        {
                            Error(fieldName, "a field name must not be empty, nor phone_number (set from the operation's phone_number, in digits)");
                            continue;
                        }
                        if (valueNode is JsonObject { Count: 1 } literal && literal["value"] is not JsonValue)
                        {
                            Error($"{fieldName}.value", "must be a string, number or boolean (the scenario's body is flat)");
                            continue;
                        }
                        if (ReadValueSource(valueNode, fieldName, literalMustBeString: false) is { } source)
                        {
                            fields.Add(new(name, source));
                        }
                    }
                }
            }
            return phone is null || scenario is null || Errors.Count > errorsBefore ? null : new OperationDefinition.TriggerScenario(when, phone, scenario, fields);
        }

        private Condition? ReadWhen(JsonNode? node, string field)
        {
            if (node is not JsonObject obj)
            {
                Error(field, "must be an object with a path and one of equals, in, exists");
                return null;
            }
            CheckFields(obj, field, WhenFields);
            var pathText = RequiredString(obj, "path", field);
            var path = pathText is null ? null : ReadPath(pathText, $"{field}.path");

            var tests = new[] { "equals", "in", "exists" }.Where(obj.ContainsKey).ToList();
            if (tests.Count != 1)
            {
                Error(field, "must have exactly one of \"equals\", \"in\", \"exists\"");
                return null;
            }
            if (path is null)
            {
                return null;
            }

            var value = obj[tests[0]];
            switch (tests[0])
            {
                case "equals":
                    if (value is JsonObject or JsonArray)
                    {
                        Error($"{field}.equals", "must be a string, number, boolean or null");
                        return null;
                    }
                    return new Condition.EqualsValue(path, value?.DeepClone());
                case "in":
                    if (value is not JsonArray candidates || candidates.Count == 0 || candidates.Any(c => c is JsonObject or JsonArray))
                    {
                        Error($"{field}.in", "must be a non-empty array of strings, numbers, booleans or null");
                        return null;
                    }
                    return new Condition.InValues(path, [.. candidates.Select(c => c?.DeepClone())]);
                default:
                    if (value is JsonValue b && b.TryGetValue<bool>(out var shouldExist))
                    {
                        return new Condition.Exists(path, shouldExist);
                    }
                    Error($"{field}.exists", "must be true or false");
                    return null;
            }
        }

        private ValueSource? RequiredValueSource(JsonObject obj, string name, string field, bool literalMustBeString)
        {
            if (!obj.TryGetPropertyValue(name, out var node))
            {
                Error($"{field}.{name}", "required: a path into the item (e.g. \"data.phone\") or { \"value\": ... }");
                return null;
            }
            return ReadValueSource(node, $"{field}.{name}", literalMustBeString);
        }

        private ValueSource? ReadValueSource(JsonNode? node, string field, bool literalMustBeString)
        {
            if (node is JsonValue v && v.TryGetValue<string>(out var pathText))
            {
                var path = ReadPath(pathText, field);
                return path is null ? null : new ValueSource.FromPath(path);
            }
            if (node is JsonObject literal && literal.Count == 1 && literal.TryGetPropertyValue("value", out var value))
            {
                var valid = literalMustBeString
                    ? value is JsonValue s && s.TryGetValue<string>(out var text) && text.Length > 0
                    : value is null or JsonValue || (value is JsonArray array && array.All(e => e is JsonValue ev && ev.TryGetValue<string>(out _)));
                if (!valid)
                {
                    Error($"{field}.value", literalMustBeString
                        ? "must be a non-empty string"
                        : "must be a string, number, boolean, null or an array of strings (Libromi attributes are flat)");
                    return null;
                }
                return new ValueSource.Literal(value?.DeepClone());
            }
            Error(field, "must be a path string (e.g. \"data.phone\") or { \"value\": ... }");
            return null;
        }

        private JsonPath? ReadPath(string text, string field)
        {
            if (JsonPath.TryParse(text, out var path, out var error))
            {
                return path;
            }
            Error(field, $"bad path: {error}");
            return null;
        }

        private string? RequiredSecretName(JsonObject obj, string name, string field)
        {
            var value = RequiredString(obj, name, field);
            if (value is null)
            {
                return null;
            }
            if (ProblemWithSecretName(value) is { } problem)
            {
                Error($"{field}.{name}", problem);
                return null;
            }
            return value;
        }

        internal string? RequiredHeaderName(JsonObject obj, string name, string field)
        {
            var value = RequiredString(obj, name, field);
            if (value is not null && !HeaderNamePattern().IsMatch(value))
            {
                Error($"{field}.{name}", "must be an HTTP header name, e.g. \"X-Api-Key\"");
                return null;
            }
            return value;
        }

        internal string? RequiredString(JsonObject obj, string name, string field)
        {
            if (!obj.TryGetPropertyValue(name, out var node))
            {
                Error($"{field}.{name}", "required");
                return null;
            }
            if (node is JsonValue v && v.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text))
            {
                return text;
            }
            Error($"{field}.{name}", "must be a non-empty string");
            return null;
        }

        internal string? OptionalString(JsonObject obj, string name, string field) =>
            obj.ContainsKey(name) ? RequiredString(obj, name, field) : null;

        private T? Missing<T>(string field, string problem) where T : class
        {
            Error(field, problem);
            return null;
        }

        private void CheckFields(JsonObject obj, string field, string[] known)
        {
            foreach (var (name, _) in obj)
            {
                if (!known.Contains(name, StringComparer.Ordinal))
                {
                    var prefix = field == "(file)" ? "" : field + ".";
                    Error(prefix + name, $"unknown field; expected one of: {string.Join(", ", known)}");
                }
            }
        }
    }
}
