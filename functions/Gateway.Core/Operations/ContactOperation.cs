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
}

/// <summary>One Libromi call, without the phone number (the envelope carries it).</summary>
public sealed record OperationStep
{
    [JsonPropertyName("kind")] public required OperationKind Kind { get; init; }
    [JsonPropertyName("attributes")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonObject? Attributes { get; init; }
    [JsonPropertyName("staff_email")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? StaffEmail { get; init; }

    public static OperationStep EnsureContact() => new() { Kind = OperationKind.EnsureContact };
    public static OperationStep UpdateAttributes(JsonObject attributes) => new() { Kind = OperationKind.UpdateAttributes, Attributes = attributes };
    public static OperationStep AssignStaff(string staffEmail) => new() { Kind = OperationKind.AssignStaff, StaffEmail = staffEmail };
}

/// <summary>The ordered steps one inbound item asks for one contact ("upsert, then assign").</summary>
public sealed record ContactOperations(PhoneNumber PhoneNumber, IReadOnlyList<OperationStep> Steps);
