using System.Text.Json;
using Libromi.Simulator.Access;
using Libromi.Simulator.Contacts;
using Libromi.Simulator.Faults;
using Libromi.Simulator.RateLimiting;

namespace Libromi.Simulator.Inspection;

/// <summary>A contact as the inspection API shows it: what a test wants to assert, not Libromi's shape.</summary>
/// <param name="Id">Libromi contact id.</param>
/// <param name="PhoneNumber">Normalised digits.</param>
/// <param name="Name">Display name.</param>
/// <param name="Attributes">Current attribute values by name.</param>
/// <param name="HasConversation">Whether assign-staff can find a conversation.</param>
/// <param name="AssignedStaff">E-mail of the staff member the conversation is assigned to, or null.</param>
/// <param name="AssignedAt">When it was last assigned, or null.</param>
/// <param name="CreatedAt">Creation time by the simulator's clock.</param>
/// <param name="UpdatedAt">Last change by the simulator's clock.</param>
public sealed record ContactState(
    long Id,
    string PhoneNumber,
    string Name,
    IReadOnlyDictionary<string, JsonElement> Attributes,
    bool HasConversation,
    string? AssignedStaff,
    DateTimeOffset? AssignedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ContactState From(ContactSnapshot contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return new(
            contact.Id,
            contact.PhoneNumber,
            contact.Name,
            contact.Attributes,
            contact.Conversation is not null,
            contact.Conversation?.AssignedStaff?.Email,
            contact.Conversation?.AssignedAt,
            contact.CreatedAt,
            contact.UpdatedAt);
    }
}

/// <summary>Body of <c>POST /_simulator/tokens</c>.</summary>
public sealed record NewToken(string Token, bool ReadOnly = false);

/// <summary>Unauthenticated test-only routes under <c>/_simulator</c> to inspect and steer the simulator.</summary>
public static class InspectionApi
{
    public static IEndpointRouteBuilder MapInspectionApi(this IEndpointRouteBuilder routes)
    {
        var inspection = routes.MapGroup("/_simulator");
        inspection.MapGet("/requests", (RequestLog log) => Results.Json(log.Snapshot()));
        inspection.MapDelete("/requests", (RequestLog log) =>
        {
            log.Clear();
            return Results.NoContent();
        });
        inspection.MapGet("/contacts", (ContactStore contacts) => Results.Json(contacts.All().Select(ContactState.From).ToList()));
        inspection.MapGet("/contacts/{phone}", (string phone, ContactStore contacts) =>
            contacts.Find(PhoneDigits.Normalise(phone)) is { } contact ? Results.Json(ContactState.From(contact)) : Results.NotFound());
        inspection.MapPost("/contacts/{phone}/conversation", SeedConversation);
        inspection.MapPut("/contacts/{phone}/attributes", SeedAttributes);
        inspection.MapGet("/faults", (FaultInjector faults) => Results.Json(faults.Current));
        inspection.MapPut("/faults", ReplaceFaults);
        inspection.MapPost("/tokens", AddToken);
        inspection.MapPost("/tokens/{token}/revoke", RevokeToken);
        inspection.MapPost("/reset", Reset);
        return routes;
    }

    internal static IResult SeedConversation(string phone, ContactStore contacts)
    {
        var digits = PhoneDigits.Normalise(phone);
        return digits.Length == 0
            ? Results.ValidationProblem(new Dictionary<string, string[]> { ["phone"] = ["The phone number must contain digits."] })
            : Results.Json(ContactState.From(contacts.SeedConversation(digits)));
    }

    /// <summary>
    /// Sets attribute values the way Libromi itself or its dashboard would (a read-only attribute included), without the
    /// API's validation; creates the contact if needed.
    /// </summary>
    internal static IResult SeedAttributes(string phone, Dictionary<string, JsonElement> attributes, ContactStore contacts)
    {
        var digits = PhoneDigits.Normalise(phone);
        return digits.Length == 0
            ? Results.ValidationProblem(new Dictionary<string, string[]> { ["phone"] = ["The phone number must contain digits."] })
            : Results.Json(ContactState.From(contacts.UpdateAttributes(digits,
                attributes.ToDictionary(a => a.Key, a => a.Value.ValueKind == JsonValueKind.Null ? (JsonElement?)null : a.Value.Clone(), StringComparer.Ordinal))));
    }

    internal static IResult ReplaceFaults(FaultSettings settings, FaultInjector faults, ILogger<FaultInjector> logger)
    {
        var problems = settings.Validate();
        if (problems.Count > 0)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["faults"] = [.. problems] });
        }

        faults.Replace(settings);
        SimulatorLog.FaultsReplaced(logger, settings);
        return Results.Json(settings);
    }

    internal static IResult AddToken(NewToken token, TokenRegistry tokens, ILogger<TokenRegistry> logger)
    {
        if (string.IsNullOrWhiteSpace(token.Token))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["token"] = ["The token must not be blank."] });
        }

        tokens.Add(token.Token, token.ReadOnly ? TokenAccess.ReadOnly : TokenAccess.Admin);
        SimulatorLog.TokenAdded(logger, token.Token.Length, token.ReadOnly);
        return Results.Json(token, statusCode: StatusCodes.Status201Created);
    }

    internal static IResult RevokeToken(string token, TokenRegistry tokens, ILogger<TokenRegistry> logger)
    {
        if (!tokens.Revoke(token))
        {
            return Results.NotFound();
        }

        SimulatorLog.TokenRevoked(logger, token.Length);
        return Results.NoContent();
    }

    internal static IResult Reset(
        ContactStore contacts,
        RequestLog log,
        FaultInjector faults,
        RateWindows windows,
        TokenRegistry tokens,
        Scenarios.ScenarioHooks scenarios,
        ILogger<RequestLog> logger)
    {
        contacts.Reset();
        scenarios.Reset();
        log.Clear();
        faults.Replace(FaultSettings.None);
        windows.Reset();
        tokens.Reset();
        SimulatorLog.Reset(logger);
        return Results.NoContent();
    }
}
