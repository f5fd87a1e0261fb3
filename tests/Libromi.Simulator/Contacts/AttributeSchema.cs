using System.Globalization;
using System.Net.Mail;
using System.Text.Json;

namespace Libromi.Simulator.Contacts;

/// <summary>Libromi's custom attribute types.</summary>
public enum AttributeType
{
    Text,
    Textarea,
    Email,
    Url,
    Phone,
    Number,
    Checkbox,
    Select,
    Radio,
    Multiselect,
    Date,
    Datetime,
}

/// <summary>An attribute's definition as a contact answer shows it (<c>attribute_field</c>).</summary>
public sealed record AttributeFieldDefinition(AttributeType Type, bool IsReadOnly, string Visibility);

/// <summary>A validated attribute update: values to set (null means remove) or the field errors that refused it.</summary>
public sealed record AttributeChanges(
    IReadOnlyDictionary<string, JsonElement?> Changes,
    IReadOnlyDictionary<string, string[]> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Validates a <c>PUT /contact/{phone}/attributes</c> body the way Libromi does: a flat object whose
/// <c>null</c> or <c>""</c> values remove the attribute and whose typed attributes must hold a valid value.
/// Attributes the schema does not know accept any text, number, boolean or list of text, so the
/// gateway's free-form import columns go through.
/// </summary>
public sealed class AttributeSchema
{
    /// <summary>Attributes every simulated company has; configuration may add or retype them.</summary>
    public static IReadOnlyDictionary<string, AttributeType> DefaultTypes { get; } = new Dictionary<string, AttributeType>(StringComparer.Ordinal)
    {
        ["email"] = AttributeType.Email,
        ["age"] = AttributeType.Number,
        ["city"] = AttributeType.Text,
        ["website"] = AttributeType.Url,
        ["is_vip"] = AttributeType.Checkbox,
        ["preferred_languages"] = AttributeType.Multiselect,
        ["birthday"] = AttributeType.Date,
        ["last_order_at"] = AttributeType.Datetime,
    };

    /// <summary>The body is not a JSON object; reported under this key.</summary>
    public const string BodyErrorKey = "attributes";

    /// <summary>Libromi's documentation names a <c>visibility</c> without listing its values; every simulated field shows this one.</summary>
    public const string DefaultVisibility = "public";

    private readonly Dictionary<string, AttributeType> _types;
    private readonly HashSet<string> _readOnly;

    public AttributeSchema(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _types = new Dictionary<string, AttributeType>(DefaultTypes, StringComparer.Ordinal);
        foreach (var (name, type) in options.AttributeTypes)
        {
            _types[name] = type;
        }
        _readOnly = new HashSet<string>(options.ReadOnlyAttributes, StringComparer.Ordinal);
    }

    /// <summary>
    /// The definition a contact answer shows for <paramref name="name"/>. Every attribute in Libromi has one; a name the
    /// simulator does not type (a free-form import column) is shown as text.
    /// </summary>
    public AttributeFieldDefinition Describe(string name) =>
        new(_types.GetValueOrDefault(name, AttributeType.Text), _readOnly.Contains(name), DefaultVisibility);

    public AttributeChanges Validate(JsonElement? body)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var changes = new Dictionary<string, JsonElement?>(StringComparer.Ordinal);
        if (body is not { ValueKind: JsonValueKind.Object } attributes)
        {
            errors[BodyErrorKey] = ["The request body must be a JSON object of attribute names to values."];
            return new AttributeChanges(changes, errors);
        }

        foreach (var property in attributes.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            if (name.Trim().Length == 0)
            {
                errors[BodyErrorKey] = ["Attribute names must not be empty."];
                continue;
            }

            if (_readOnly.Contains(name))
            {
                errors[name] = [$"The {name} field is read-only."];
                continue;
            }

            if (value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 0))
            {
                changes[name] = null;
                continue;
            }

            var (accepted, error) = _types.TryGetValue(name, out var type) ? Check(name, type, value) : CheckFreeForm(name, value);
            if (error is not null)
            {
                errors[name] = [error];
            }
            else
            {
                changes[name] = accepted;
            }
        }

        return new AttributeChanges(changes, errors);
    }

    private static (JsonElement? Value, string? Error) Check(string name, AttributeType type, JsonElement value) => type switch
    {
        AttributeType.Number => CheckNumber(name, value),
        AttributeType.Checkbox => CheckBoolean(name, value),
        AttributeType.Multiselect => IsListOfText(value) ? (value.Clone(), null) : (null, $"The {name} field must be a list of text values."),
        _ when value.ValueKind != JsonValueKind.String => (null, $"The {name} field must be a string."),
        AttributeType.Email => IsEmail(value.GetString()!) ? (value.Clone(), null) : (null, $"The {name} field must be a valid email address."),
        AttributeType.Url => IsUrl(value.GetString()!) ? (value.Clone(), null) : (null, $"The {name} field must be a valid URL."),
        AttributeType.Date => IsExact(value.GetString()!, "yyyy-MM-dd") ? (value.Clone(), null) : (null, $"The {name} field must match the format YYYY-MM-DD."),
        AttributeType.Datetime => IsExact(value.GetString()!, "yyyy-MM-dd'T'HH:mm:ss'Z'") ? (value.Clone(), null) : (null, $"The {name} field must match the format YYYY-MM-DDTHH:MM:SSZ."),
        _ => (value.Clone(), null),
    };

    // Laravel's "numeric" rule accepts numeric strings; the stored value is the number.
    private static (JsonElement? Value, string? Error) CheckNumber(string name, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return (value.Clone(), null);
        }

        if (value.ValueKind == JsonValueKind.String
            && decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return (JsonSerializer.SerializeToElement(number), null);
        }

        return (null, $"The {name} field must be a number.");
    }

    // Laravel's "boolean" rule: true, false, 1, 0, "1", "0".
    private static (JsonElement? Value, string? Error) CheckBoolean(string name, JsonElement value)
    {
        bool? flag = value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt32(out var n) && n is 0 or 1 => n == 1,
            JsonValueKind.String when value.GetString() is "0" or "1" => value.GetString() == "1",
            _ => null,
        };
        return flag is { } b ? (JsonSerializer.SerializeToElement(b), null) : (null, $"The {name} field must be true or false.");
    }

    private static (JsonElement? Value, string? Error) CheckFreeForm(string name, JsonElement value) =>
        value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False || IsListOfText(value)
            ? (value.Clone(), null)
            : (null, $"The {name} field must be text, a number, true or false, or a list of text values.");

    private static bool IsListOfText(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String);

    private static bool IsEmail(string text) =>
        MailAddress.TryCreate(text, out var address)
        && string.Equals(address.Address, text, StringComparison.Ordinal)
        && address.Host.Contains('.', StringComparison.Ordinal);

    private static bool IsUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static bool IsExact(string text, string format) =>
        DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
}
