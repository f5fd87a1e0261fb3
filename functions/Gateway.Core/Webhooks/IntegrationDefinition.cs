using System.Text.Json.Nodes;

namespace Libromi.Gateway.Webhooks;

/// <summary>One validated entry of the integrations file: how to verify, split and map a source's deliveries.</summary>
public sealed record IntegrationDefinition(
    string Name,
    VerificationSettings Verification,
    JsonPath? ItemsPath,
    IReadOnlyList<OperationDefinition> Operations,
    string? DefaultCountryCode,
    DeliveryIdSource? DeliveryId);

/// <summary>A value read from the item (<c>"data.phone"</c>) or written in the file (<c>{"value": "shop"}</c>).</summary>
public abstract record ValueSource
{
    private ValueSource() { }

    public sealed record FromPath(JsonPath Path) : ValueSource
    {
        public override string ToString() => Path.ToString();
    }

    public sealed record Literal(JsonNode? Value) : ValueSource
    {
        public override string ToString() => "{ \"value\": " + (Value?.ToJsonString() ?? "null") + " }";
    }
}

/// <summary>The <c>when</c> of an operation: compared as text, so <c>1</c> in the file matches <c>"1"</c> in a form post.</summary>
public abstract record Condition(JsonPath Path)
{
    public sealed record EqualsValue(JsonPath Path, JsonNode? Expected) : Condition(Path);

    public sealed record InValues(JsonPath Path, IReadOnlyList<JsonNode?> Candidates) : Condition(Path);

    /// <summary>True when the path resolves to a non-null value (<paramref name="ShouldExist"/> true) or does not (false).</summary>
    public sealed record Exists(JsonPath Path, bool ShouldExist) : Condition(Path);
}

/// <summary>One entry of an integration's <c>operations</c> list.</summary>
public abstract record OperationDefinition(Condition? When, ValueSource PhoneNumber)
{
    /// <summary><c>upsert_contact</c>: attribute name to value source, in file order.</summary>
    public sealed record UpsertContact(Condition? When, ValueSource PhoneNumber, IReadOnlyList<KeyValuePair<string, ValueSource>> Attributes)
        : OperationDefinition(When, PhoneNumber);

    /// <summary><c>assign_staff</c>: the staff member's email is Libromi's username.</summary>
    public sealed record AssignStaff(Condition? When, ValueSource PhoneNumber, ValueSource StaffEmail)
        : OperationDefinition(When, PhoneNumber);

    /// <summary>
    /// <c>trigger_scenario</c>: POST a flat body (field name to value source, in file order, plus <c>phone_number</c>
    /// in digits) to the Libromi webhook scenario configured as <paramref name="Scenario"/>.
    /// </summary>
    public sealed record TriggerScenario(Condition? When, ValueSource PhoneNumber, string Scenario, IReadOnlyList<KeyValuePair<string, ValueSource>> Fields)
        : OperationDefinition(When, PhoneNumber);
}

/// <summary>Where a delivery's own identity is read from (<c>delivery_id</c>).</summary>
public abstract record DeliveryIdSource
{
    private DeliveryIdSource() { }

    public sealed record Header(string Name) : DeliveryIdSource;

    /// <summary>Read from each item, so a batch carries one identity per item (HubSpot's <c>eventId</c>).</summary>
    public sealed record ItemPath(JsonPath Path) : DeliveryIdSource;
}
