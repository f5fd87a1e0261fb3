using System.Net;
using System.Net.Http.Json;
using Libromi.Simulator;
using Libromi.Simulator.Faults;
using Libromi.Simulator.Inspection;
using Libromi.Simulator.Scenarios;

namespace Libromi.Gateway.EndToEnd.Fixtures;

/// <summary>
/// Typed client of the simulator's inspection API (<c>/_simulator</c>, no authentication): what Libromi
/// received, the contacts it holds, and the faults and tokens in force. Thread-safe.
/// </summary>
/// <param name="http">A client whose base address is the simulator's root (<c>http://127.0.0.1:PORT/</c>); not disposed here.</param>
public sealed class SimulatorInspector(HttpClient http)
{
    /// <summary>Every request received outside <c>/_simulator</c>, in arrival order, with the status it was answered with.</summary>
    public async Task<IReadOnlyList<RecordedRequest>> GetRequestsAsync(CancellationToken cancellationToken = default) =>
        await http.GetFromJsonAsync<List<RecordedRequest>>("_simulator/requests", SimulatorJson.Options, cancellationToken)
        ?? throw new InvalidOperationException("The simulator answered an empty request log.");

    /// <summary>
    /// The request log as one line per request (<c>#3 PUT /api/v1/contact/1/attributes -> 429</c>), for
    /// assertion messages and test output when a test fails.
    /// </summary>
    public async Task<string> DescribeRequestsAsync(CancellationToken cancellationToken = default)
    {
        var requests = await GetRequestsAsync(cancellationToken);
        return requests.Count == 0
            ? "(the simulator received no requests)"
            : string.Join(Environment.NewLine, requests.Select(r => $"#{r.Sequence} {r.Method} {r.Path}{r.Query} -> {r.StatusCode}"));
    }

    /// <summary>Empties the request log (sequence numbers keep counting).</summary>
    public async Task ClearRequestsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await http.DeleteAsync("_simulator/requests", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>All contacts, in creation order.</summary>
    public async Task<IReadOnlyList<ContactState>> GetContactsAsync(CancellationToken cancellationToken = default) =>
        await http.GetFromJsonAsync<List<ContactState>>("_simulator/contacts", SimulatorJson.Options, cancellationToken)
        ?? throw new InvalidOperationException("The simulator answered an empty contact list.");

    /// <summary>The contact with this phone number (any format; normalised like Libromi does), or null when it does not exist.</summary>
    /// <remarks>Unlike Libromi's GET, this never creates the contact.</remarks>
    public async Task<ContactState?> GetContactAsync(string phoneNumber, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync($"_simulator/contacts/{Uri.EscapeDataString(phoneNumber)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<ContactState>(SimulatorJson.Options, cancellationToken);
    }

    /// <summary>
    /// Creates the contact if needed and gives it a conversation, so assign-staff can succeed for it
    /// when the simulator runs with <c>Simulator__AllContactsHaveConversations=false</c>.
    /// </summary>
    public async Task<ContactState> SeedConversationAsync(string phoneNumber, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsync($"_simulator/contacts/{Uri.EscapeDataString(phoneNumber)}/conversation", null, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<ContactState>(SimulatorJson.Options, cancellationToken)
            ?? throw new InvalidOperationException("The simulator answered an empty contact.");
    }

    /// <summary>Sets attribute values as Libromi itself would, without the API's checks (a read-only attribute too).</summary>
    public async Task<ContactState> SeedAttributesAsync(string phoneNumber, string attributesJson, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(attributesJson, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PutAsync($"_simulator/contacts/{Uri.EscapeDataString(phoneNumber)}/attributes", content, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<ContactState>(SimulatorJson.Options, cancellationToken)
            ?? throw new InvalidOperationException("The simulator answered an empty contact.");
    }

    /// <summary>The fault settings in force.</summary>
    public async Task<FaultSettings> GetFaultsAsync(CancellationToken cancellationToken = default) =>
        await http.GetFromJsonAsync<FaultSettings>("_simulator/faults", SimulatorJson.Options, cancellationToken)
        ?? throw new InvalidOperationException("The simulator answered empty fault settings.");

    /// <summary>Replaces every fault setting (use <see cref="FaultSettings.None"/> to stop injecting faults).</summary>
    public async Task SetFaultsAsync(FaultSettings faults, CancellationToken cancellationToken = default)
    {
        using var response = await http.PutAsJsonAsync("_simulator/faults", faults, SimulatorJson.Options, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>Revokes a token: from now on it gets 401. Fails when the token was not valid.</summary>
    public async Task RevokeTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsync($"_simulator/tokens/{Uri.EscapeDataString(token)}/revoke", null, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>Makes a new token valid, as when the account owner creates one in the dashboard (rotation).</summary>
    public async Task AddTokenAsync(string token, bool readOnly = false, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync("_simulator/tokens", new NewToken(token, readOnly), SimulatorJson.Options, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>What the scenario URL <c>/scenarios/{id}</c> received (bodies in arrival order, each with its answer) and how it behaves.</summary>
    public async Task<ScenarioState> GetScenarioAsync(string id, CancellationToken cancellationToken = default) =>
        await http.GetFromJsonAsync<ScenarioState>($"_simulator/scenarios/{Uri.EscapeDataString(id)}", cancellationToken)
        ?? throw new InvalidOperationException("The simulator answered an empty scenario state.");

    /// <summary>Sets how <c>/scenarios/{id}</c> answers (scripted status codes, slow answers, deleted).</summary>
    public async Task SetScenarioAsync(string id, ScenarioBehaviour behaviour, CancellationToken cancellationToken = default)
    {
        using var response = await http.PutAsJsonAsync($"_simulator/scenarios/{Uri.EscapeDataString(id)}", behaviour, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>
    /// Back to the start: contacts (configured ones re-created), request log, rate windows and tokens as
    /// configured; faults off (<see cref="FaultSettings.None"/>), including faults set by configuration.
    /// </summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsync("_simulator/reset", null, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException(
                $"Simulator inspection call {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body}",
                null,
                response.StatusCode);
        }
    }
}
