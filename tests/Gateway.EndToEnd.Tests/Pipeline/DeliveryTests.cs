using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.Ingest;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.EndToEnd.Pipeline;

/// <summary>Operations travel from HTTP through Azurite queues to the simulator, exactly as sent.</summary>
public sealed class DeliveryTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        _gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Contact_upsert_reaches_Libromi_with_the_exact_body_and_bearer_token()
    {
        var response = await _gateway.PostJsonAsync("/api/contacts",
            """{"phone_number": "+44 7700 900123", "attributes": {"city": "Leeds", "age": 31, "is_vip": true, "languages": ["english"], "nickname": null}}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.False(string.IsNullOrEmpty(accepted["operation_id"]?.GetValue<string>()));

        var request = (await WaitForRequestsAsync(1)).Single();
        Assert.Equal("PUT", request.Method);
        Assert.EndsWith("/contact/447700900123/attributes", request.Path, StringComparison.Ordinal);
        Assert.Equal(SimulatorFixture.AdminToken, request.BearerToken);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"city": "Leeds", "age": 31, "is_vip": true, "languages": ["english"], "nickname": null}"""),
            JsonNode.Parse(request.Body)));
        Assert.Equal(200, request.StatusCode);

        var contact = await fixture.Simulator.Inspector.GetContactAsync("447700900123");
        Assert.Equal("Leeds", contact!.Attributes["city"].GetString());
    }

    [Fact]
    public async Task Phone_only_contact_is_created_with_the_get_or_create_call()
    {
        var response = await _gateway.PostJsonAsync("/api/contacts", """{"phone_number": "15551234567"}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var request = (await WaitForRequestsAsync(1)).Single();
        Assert.Equal("GET", request.Method);
        Assert.EndsWith("/contact/15551234567", request.Path, StringComparison.Ordinal);
        Assert.NotNull(await fixture.Simulator.Inspector.GetContactAsync("15551234567"));
    }

    [Fact]
    public async Task Staff_assignment_reaches_Libromi_with_the_email_as_username()
    {
        // Libromi reassigns the contact's latest conversation: the contact must exist and have chatted.
        await fixture.Simulator.Inspector.SeedConversationAsync("15551234567");
        await fixture.Simulator.Inspector.ClearRequestsAsync();

        var response = await _gateway.PostJsonAsync("/api/staff-assignments",
            $$"""{"phone_number": "+1 (555) 123-4567", "staff_email": "{{SimulatorFixture.StaffEmail}}"}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var request = (await WaitForRequestsAsync(1)).Single();
        Assert.Equal("PUT", request.Method);
        Assert.EndsWith("/conversation/assign-staff", request.Path, StringComparison.Ordinal);
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal("15551234567", body["phone_number"]!.GetValue<string>());
        Assert.Equal(SimulatorFixture.StaffEmail, body["username"]!.GetValue<string>());
        Assert.Equal(200, request.StatusCode);
    }

    [Fact]
    public async Task Contact_with_a_staff_email_is_upserted_then_assigned_in_that_order()
    {
        var response = await _gateway.PostJsonAsync("/api/contacts",
            $$"""{"phone_number": "+44 7700 900124", "attributes": {"city": "York"}, "staff_email": "{{SimulatorFixture.StaffEmail}}"}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var requests = await WaitForRequestsAsync(2);
        Assert.EndsWith("/contact/447700900124/attributes", requests[0].Path, StringComparison.Ordinal);
        Assert.EndsWith("/conversation/assign-staff", requests[1].Path, StringComparison.Ordinal);
        Assert.All(requests, r => Assert.Equal(200, r.StatusCode));
        Assert.Equal(SimulatorFixture.StaffEmail, (await fixture.Simulator.Inspector.GetContactAsync("447700900124"))!.AssignedStaff);
    }

    [Fact]
    public async Task Steps_of_one_envelope_reach_Libromi_in_order()
    {
        var steps = new List<OperationStep>();
        for (var i = 0; i < 5; i++)
        {
            steps.Add(OperationStep.UpdateAttributes(new JsonObject { ["step"] = i }));
        }
        steps.Add(OperationStep.AssignStaff(SimulatorFixture.StaffEmail));
        var ingestor = _gateway.App.Services.GetRequiredService<OperationIngestor>();
        await fixture.Simulator.Inspector.SeedConversationAsync("447700900999");
        await fixture.Simulator.Inspector.ClearRequestsAsync();

        await ingestor.EnqueueAsync(new ContactOperations(PhoneNumber.Parse("+447700900999"), steps), "test", Lane.Realtime, null, CancellationToken.None);

        var requests = await WaitForRequestsAsync(6);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(i, JsonNode.Parse(requests[i].Body)!["step"]!.GetValue<int>());
        }
        Assert.EndsWith("/conversation/assign-staff", requests[5].Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepted_operation_is_in_the_queue_before_the_202_is_sent()
    {
        // Stop the consumer's effect by pausing sending, then check the message is stored at answer time.
        _gateway.App.Services.GetRequiredService<RateLimiting.SendingState>().PauseUntil(DateTimeOffset.UtcNow.AddMinutes(5));

        var response = await _gateway.PostJsonAsync("/api/contacts", """{"phone_number": "+4915112345678", "attributes": {"city": "Berlin"}}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var operationId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["operation_id"]!.GetValue<string>();
        var stored = await _gateway.Queues.Realtime.PeekMessagesAsync(32);
        var envelope = stored.Value.Select(m => JsonSerializer.Deserialize<OperationEnvelope>(m.Body.ToString())).Single(e => e!.OperationId == operationId)!;
        Assert.Equal("4915112345678", envelope.PhoneNumber);
        Assert.Equal("api", envelope.Source);
        Assert.Equal(0, envelope.Attempt);
    }

    private Task<IReadOnlyList<global::Libromi.Simulator.Inspection.RecordedRequest>> WaitForRequestsAsync(int count) =>
        Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetRequestsAsync(), r => r.Count >= count, $"{count} request(s) at the simulator");
}
