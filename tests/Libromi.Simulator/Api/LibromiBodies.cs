using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Libromi.Simulator.Contacts;

namespace Libromi.Simulator.Api;

// Response bodies exactly as docs/libromi-api.md describes them. Property names become snake_case through
// SimulatorJson; the status words differ per endpoint family on purpose (SUCCESS/FAILED on contact
// endpoints, success/failed on the conversation endpoint), as Libromi's documentation shows.

internal sealed record ContactEnvelope(string Status, string Message, ContactBody Contact);

internal sealed record ContactBody(
    long Id,
    string Name,
    string PhoneNumber,
    bool DndEnabled,
    string CreatedAt,
    string UpdatedAt,
    IReadOnlyList<ConversationBody> Conversations,
    IReadOnlyList<AttributeBody> ContactAttributes,
    IReadOnlyDictionary<string, JsonElement> ContactAttributesMap,
    IReadOnlyList<string> ContactGroups,
    IReadOnlyList<string> Tags)
{
    public static ContactBody From(ContactSnapshot contact, AttributeSchema schema) => new(
        contact.Id,
        contact.Name,
        contact.PhoneNumber,
        DndEnabled: false,
        LibromiTime.Format(contact.CreatedAt),
        LibromiTime.Format(contact.UpdatedAt),
        contact.Conversation is { } conversation ? [ConversationBody.From(conversation)] : [],
        [.. contact.Attributes.Select(pair => AttributeBody.From(pair.Key, pair.Value, schema))],
        contact.Attributes,
        [],
        []);
}

internal sealed record ConversationBody(long Id, string State, StaffBody? AssignedStaff)
{
    public static ConversationBody From(ConversationSnapshot conversation) =>
        new(conversation.Id, conversation.State, conversation.AssignedStaff is { } staff ? StaffBody.From(staff) : null);
}

internal sealed record StaffBody(long Id, string Name, string Email)
{
    public static StaffBody From(StaffMember staff) => new(staff.Id, staff.Name, staff.Email);
}

/// <summary>
/// One of the contact's attributes with its definition, as Libromi's documentation shows it: <c>attribute_name</c>,
/// <c>attribute_value</c>, <c>display_value</c> and <c>attribute_field</c> {<c>attribute_label</c>, <c>field_type</c>,
/// <c>is_read_only</c>, <c>visibility</c>}.
/// </summary>
internal sealed record AttributeBody(string AttributeName, JsonElement AttributeValue, string DisplayValue, AttributeFieldBody AttributeField)
{
    public static AttributeBody From(string name, JsonElement value, AttributeSchema schema)
    {
        var definition = schema.Describe(name);
        return new AttributeBody(name, value, Display(value), new AttributeFieldBody(
            Label(name), definition.Type.ToString().ToLowerInvariant(), definition.IsReadOnly, definition.Visibility));
    }

    // Libromi shows values as text: a list joined with commas, a checkbox as Yes/No.
    private static string Display(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "Yes",
        JsonValueKind.False => "No",
        JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(Display)),
        _ => value.GetRawText(),
    };

    // "preferred_languages" is labelled "Preferred languages".
    private static string Label(string name)
    {
        var words = name.Replace('_', ' ').Trim();
        return words.Length == 0 ? name : char.ToUpperInvariant(words[0]) + words[1..];
    }
}

internal sealed record AttributeFieldBody(string AttributeLabel, string FieldType, bool IsReadOnly, string Visibility);

internal sealed record ContactRefBody(long Id, string Name, string PhoneNumber);

internal sealed record AssignedEnvelope(string Status, string Message, AssignedConversationBody Conversation);

internal sealed record AssignedConversationBody(long Id, ContactRefBody Contact, StaffBody AssignedStaff, string AssignedAt);

/// <summary>Contact endpoints' failures: <c>{"status":"FAILED","message":...}</c>, with field errors for 422.</summary>
internal sealed record ContactFailure(
    string Status,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>Conversation endpoint's failures: <c>{"status":"failed","message":...}</c>.</summary>
internal sealed record ConversationFailure(string Status, string Message);

/// <summary>Laravel's validation failure on the conversation endpoint: no status word.</summary>
internal sealed record InvalidData(string Message, IReadOnlyDictionary<string, string[]> Errors);

/// <summary>Framework-level answers such as <c>{"message":"Unauthenticated."}</c>.</summary>
internal sealed record MessageOnly(string Message);

internal sealed record ServerFailure(string Status, string Message, string Error);

/// <summary>Laravel's throttle answer; <c>retry_after_seconds</c> is left out when the hint setting says so.</summary>
internal sealed record TooManyAttempts(
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RetryAfterSeconds);

/// <summary>Libromi (Laravel) serialises timestamps as <c>2025-01-31T09:30:00.000000Z</c>.</summary>
internal static class LibromiTime
{
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
