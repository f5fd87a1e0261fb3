using System.Text.Json;
using Libromi.Simulator.Contacts;
using Microsoft.AspNetCore.Mvc;

namespace Libromi.Simulator.Api;

/// <summary><c>GET /contact/{phone_number}</c> and <c>PUT /contact/{phone_number}/attributes</c>.</summary>
public static class ContactApi
{
    public static IEndpointRouteBuilder MapContactApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/contact/{phone_number}", GetContact);
        api.MapPut("/contact/{phone_number}/attributes", UpdateAttributesAsync);
        return api;
    }

    internal static IResult GetContact([FromRoute(Name = "phone_number")] string phoneNumber, ContactStore contacts, AttributeSchema schema)
    {
        var digits = PhoneDigits.Normalise(phoneNumber);
        if (digits.Length == 0)
        {
            return NoDigits();
        }

        var contact = contacts.GetOrCreate(digits);
        return Results.Json(new ContactEnvelope("SUCCESS", "Contact retrieved successfully", ContactBody.From(contact, schema)));
    }

    internal static async Task<IResult> UpdateAttributesAsync(
        [FromRoute(Name = "phone_number")] string phoneNumber,
        HttpRequest request,
        ContactStore contacts,
        AttributeSchema schema)
    {
        var digits = PhoneDigits.Normalise(phoneNumber);
        if (digits.Length == 0)
        {
            return NoDigits();
        }

        // Malformed JSON and JSON that is not an object are both a 422: the documentation only promises
        // 422 for bad input on this endpoint, and a client must not have to tell the two apart.
        var validation = schema.Validate(await ReadJsonAsync(request));
        if (!validation.IsValid)
        {
            return ValidationFailed(validation.Errors);
        }

        var contact = contacts.UpdateAttributes(digits, validation.Changes);
        return Results.Json(new ContactEnvelope("SUCCESS", "Contact attributes updated successfully", ContactBody.From(contact, schema)));
    }

    private static async Task<JsonElement?> ReadJsonAsync(HttpRequest request)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult NoDigits() => ValidationFailed(new Dictionary<string, string[]>
    {
        ["phone_number"] = ["The phone number must contain digits, including the country code."],
    });

    private static IResult ValidationFailed(IReadOnlyDictionary<string, string[]> errors) =>
        Results.Json(new ContactFailure("FAILED", "Validation failed", errors), statusCode: StatusCodes.Status422UnprocessableEntity);
}
