using System.Text.Json;
using Libromi.Simulator.Contacts;

namespace Libromi.Simulator.Api;

/// <summary><c>PUT /conversation/assign-staff</c>, with its lower-case <c>success</c>/<c>failed</c> status words.</summary>
public static class ConversationApi
{
    public static IEndpointRouteBuilder MapConversationApi(this IEndpointRouteBuilder api)
    {
        api.MapPut("/conversation/assign-staff", AssignStaffAsync);
        return api;
    }

    // Checks run in the order the documentation lists the 404s: contact, conversation, staff.
    internal static async Task<IResult> AssignStaffAsync(HttpRequest request, ContactStore contacts, StaffDirectory staff)
    {
        var body = await ReadObjectAsync(request);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var phoneNumber = RequiredString(body, "phone_number", "phone number", errors);
        var username = RequiredString(body, "username", "username", errors);
        if (phoneNumber is null || username is null)
        {
            return Results.Json(new InvalidData("The given data was invalid.", errors), statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        var digits = PhoneDigits.Normalise(phoneNumber);
        var contact = contacts.Find(digits);
        if (contact is null)
        {
            return NotFound("Contact not found");
        }

        if (contact.Conversation is null)
        {
            return NotFound("Conversation not found");
        }

        if (staff.Find(username) is not { } member)
        {
            return NotFound("Staff not found");
        }

        // A concurrent reset may have removed the contact since the lookup above.
        if (contacts.AssignStaff(digits, member) is not { Conversation: { AssignedAt: { } assignedAt } conversation } assigned)
        {
            return NotFound("Contact not found");
        }

        return Results.Json(new AssignedEnvelope(
            "success",
            "Conversation assigned to staff successfully",
            new AssignedConversationBody(
                conversation.Id,
                new ContactRefBody(assigned.Id, assigned.Name, assigned.PhoneNumber),
                StaffBody.From(member),
                LibromiTime.Format(assignedAt))));
    }

    private static IResult NotFound(string message) =>
        Results.Json(new ConversationFailure("failed", message), statusCode: StatusCodes.Status404NotFound);

    private static async Task<JsonElement?> ReadObjectAsync(HttpRequest request)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Laravel's "required|string" rule and its messages.
    private static string? RequiredString(JsonElement? body, string name, string label, Dictionary<string, string[]> errors)
    {
        if (body is not { } obj || !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null
            || (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString())))
        {
            errors[name] = [$"The {label} field is required."];
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors[name] = [$"The {label} field must be a string."];
            return null;
        }

        return value.GetString();
    }
}
