using System.Text;
using System.Text.Json;

namespace Libromi.Gateway.EndToEnd.Simulator;

/// <summary>Assertions on Libromi's wire format: exact property names, so a renamed or extra field fails a test.</summary>
internal static class ContractAssert
{
    public static void HasExactlyProperties(JsonElement element, params string[] names)
    {
        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        Assert.Equal(
            names.Order(StringComparer.Ordinal),
            element.EnumerateObject().Select(property => property.Name).Order(StringComparer.Ordinal));
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>Asserts the status and returns the JSON body, reporting the body when the status is wrong.</summary>
    public static async Task<JsonElement> StatusAndJsonAsync(HttpResponseMessage response, int expectedStatus)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expectedStatus, $"Expected {expectedStatus}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static string ContactPath(string phoneNumber) => $"contact/{Uri.EscapeDataString(phoneNumber)}";

    public static string AttributesPath(string phoneNumber) => $"{ContactPath(phoneNumber)}/attributes";

    public const string AssignStaffPath = "conversation/assign-staff";

    public static StringContent Assignment(string phoneNumber, string username) =>
        Json(JsonSerializer.Serialize(new Dictionary<string, string> { ["phone_number"] = phoneNumber, ["username"] = username }));
}
