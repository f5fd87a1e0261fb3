using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Libromi.Gateway.Operations;

/// <summary>What the gateway asks Libromi to do for one contact.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OperationKind>))]
public enum OperationKind
{
    /// <summary><c>GET /contact/{phone}</c>: Libromi creates the contact when it does not exist.</summary>
    [JsonStringEnumMemberName("ensure_contact")] EnsureContact,
    /// <summary><c>PUT /contact/{phone}/attributes</c>; a null or empty value removes the attribute.</summary>
    [JsonStringEnumMemberName("update_attributes")] UpdateAttributes,
    /// <summary><c>PUT /conversation/assign-staff</c> with the staff member's email as username.</summary>
    [JsonStringEnumMemberName("assign_staff")] AssignStaff,
    /// <summary>
    /// <c>POST</c> of a flat JSON body to a Libromi webhook scenario's URL (a secret, looked up by the scenario's
    /// name when the step is sent), which sends a WhatsApp template. Not idempotent: see docs/scenarios.md.
    /// </summary>
    [JsonStringEnumMemberName("trigger_scenario")] TriggerScenario,
}

/// <summary>One Libromi call, without the phone number (the envelope carries it).</summary>
public sealed record OperationStep
{
    [JsonPropertyName("kind")] public required OperationKind Kind { get; init; }
    [JsonPropertyName("attributes")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonObject? Attributes { get; init; }
    [JsonPropertyName("staff_email")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? StaffEmail { get; init; }
    /// <summary>The configured scenario's name (never its URL, which is a secret).</summary>
    [JsonPropertyName("scenario")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Scenario { get; init; }
    /// <summary>The flat body the scenario learned, <c>phone_number</c> included.</summary>
    [JsonPropertyName("body")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonObject? Body { get; init; }
    /// <summary>
    /// The step's place in the operation as accepted. Delivered steps are dropped when a message is requeued, so
    /// the position in <c>steps</c> moves; this does not, and keys the step's intent and outcome rows.
    /// </summary>
    [JsonPropertyName("ordinal")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Ordinal { get; init; }

    public static OperationStep EnsureContact() => new() { Kind = OperationKind.EnsureContact };
    public static OperationStep UpdateAttributes(JsonObject attributes) => new() { Kind = OperationKind.UpdateAttributes, Attributes = attributes };
    public static OperationStep AssignStaff(string staffEmail) => new() { Kind = OperationKind.AssignStaff, StaffEmail = staffEmail };
    public static OperationStep TriggerScenario(string scenario, JsonObject body) => new() { Kind = OperationKind.TriggerScenario, Scenario = scenario, Body = body };

    /// <summary>
    /// A scenario step for one contact. The body is the fields, then <see cref="ScenarioPhoneField"/> in Libromi's
    /// digits form (country code first, as the scenario's sample had it).
    /// </summary>
    public static OperationStep TriggerScenario(string scenario, PhoneNumber phone, JsonObject? fields)
    {
        var body = new JsonObject();
        foreach (var (name, value) in fields ?? [])
        {
            body[name] = value?.DeepClone();
        }
        body[ScenarioPhoneField] = phone.Digits;
        return TriggerScenario(scenario, body);
    }

    /// <summary>The body field a scenario step always carries; the API and the integrations file refuse it as a field name.</summary>
    public const string ScenarioPhoneField = "phone_number";
}

/// <summary>The ordered steps one inbound item asks for one contact ("upsert, then assign").</summary>
public sealed record ContactOperations(PhoneNumber PhoneNumber, IReadOnlyList<OperationStep> Steps);
