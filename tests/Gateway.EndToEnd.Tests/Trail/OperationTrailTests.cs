using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Operations;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Trail;
using Libromi.Simulator.Faults;

namespace Libromi.Gateway.EndToEnd.Trail;

/// <summary>
/// <c>GET /api/operations/{id}</c> over real storage and the simulator: every state an operation can be in, with the
/// Libromi calls that put it there.
/// </summary>
public sealed class OperationTrailTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => fixture.Simulator.Inspector.SetFaultsAsync(FaultSettings.None);

    private static string NewPhone() => $"+44770091{Random.Shared.Next(1000, 9999)}";

    [Fact]
    public async Task Accepted_operation_is_queued_in_the_trail_before_any_worker_takes_it()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, configureServices: GatewayHost.WithoutDrain);
        var phone = NewPhone();

        var id = await gateway.PostContactAsync($$"""{"phone_number": "{{phone}}", "attributes": {"plan": "gold"} }""");

        var operation = (await gateway.WaitForStateAsync(id, OperationStates.Queued))!;
        Assert.Equal("realtime", operation["lane"]!.GetValue<string>());
        Assert.Equal("api", operation["source"]!["kind"]!.GetValue<string>());
        Assert.Equal(phone[1..], operation["phone_number"]!.GetValue<string>());
        Assert.Equal(["update_attributes"], operation["steps"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Empty(operation.Calls());
        Assert.InRange(operation["received_at"]!.GetValue<DateTimeOffset>(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Delivered_operation_shows_each_step_s_Libromi_call_with_status_and_attempt()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        var phone = NewPhone();
        await fixture.Simulator.Inspector.SeedConversationAsync(phone[1..]);

        var id = await gateway.PostContactAsync($$"""{"phone_number": "{{phone}}", "attributes": {"city": "York"}, "staff_email": "{{SimulatorFixture.StaffEmail}}"}""");

        var operation = (await gateway.WaitForStateAsync(id, OperationStates.Delivered))!;
        var calls = operation.Calls();
        Assert.Equal(["update_attributes", "assign_staff"], calls.Select(c => c["step"]!.GetValue<string>()));
        Assert.All(calls, c => Assert.Equal(200, c["status"]!.GetValue<int>()));
        Assert.All(calls, c => Assert.Equal(1, c["attempt"]!.GetValue<int>()));
        Assert.Equal(0, operation["steps_left"]!.GetValue<int>());
        Assert.Null(operation["next_attempt_at"]);
    }

    [Fact]
    public async Task Rate_limited_operation_is_sending_with_its_next_attempt_and_then_delivered()
    {
        await fixture.Simulator.Inspector.SetFaultsAsync(new FaultSettings { RateLimitedRate = 1.0, RateLimitRetryAfterSeconds = 2 });
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);

        var id = await gateway.PostContactAsync($$"""{"phone_number": "{{NewPhone()}}", "attributes": {"plan": "silver"} }""");

        var sending = (await gateway.WaitForStateAsync(id, OperationStates.Sending))!;
        var limited = sending.Calls()[^1];
        Assert.Equal(429, limited["status"]!.GetValue<int>());
        Assert.Equal("RateLimited", limited["outcome"]!.GetValue<string>());
        var nextAttempt = sending["next_attempt_at"]!.GetValue<DateTimeOffset>();
        Assert.True(nextAttempt > limited["at"]!.GetValue<DateTimeOffset>(), "the next attempt is after the 429");
        Assert.Equal(nextAttempt, limited["next_attempt_at"]!.GetValue<DateTimeOffset>());

        await fixture.Simulator.Inspector.SetFaultsAsync(FaultSettings.None);
        var delivered = (await gateway.WaitForStateAsync(id, OperationStates.Delivered, TimeSpan.FromSeconds(30)))!;
        var statuses = delivered.Calls().Select(c => c["status"]!.GetValue<int>()).ToList();
        Assert.Equal(200, statuses[^1]);
        Assert.Contains(429, statuses);
        Assert.Null(delivered["next_attempt_at"]);
    }

    [Fact]
    public async Task Refused_assignment_after_a_delivered_update_is_partly_delivered_and_its_dead_letter_links_to_it()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        var phone = NewPhone();
        await fixture.Simulator.Inspector.SeedConversationAsync(phone[1..]);

        var id = await gateway.PostContactAsync($$"""{"phone_number": "{{phone}}", "attributes": {"city": "Hull"}, "staff_email": "nobody@company.test"}""");

        var operation = (await gateway.WaitForStateAsync(id, OperationStates.PartlyDelivered))!;
        Assert.Equal([200, 404], operation.Calls().Select(c => c["status"]!.GetValue<int>()));
        Assert.Contains("Staff not found", operation.Calls()[1]["answer"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("rejected", operation["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        using var admin = AdminClient.For(gateway);
        var deadLetter = (await admin.ListAsync()).Single(d => d!["operation_id"]!.GetValue<string>() == id)!;
        Assert.Equal($"/api/operations/{id}", deadLetter["operation"]!.GetValue<string>());
    }

    [Fact]
    public async Task Dead_lettered_operation_is_queued_again_when_replayed_and_then_delivered()
    {
        await fixture.Simulator.Inspector.SetFaultsAsync(new FaultSettings { ServerErrorRate = 1.0 });
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?> { ["Processing:MaxAttempts"] = "2" });

        var id = await gateway.PostContactAsync($$"""{"phone_number": "{{NewPhone()}}", "attributes": {"plan": "gold"} }""");

        var dead = (await gateway.WaitForStateAsync(id, OperationStates.DeadLettered, TimeSpan.FromSeconds(30)))!;
        Assert.Equal([1, 2], dead.Calls().Select(c => c["attempt"]!.GetValue<int>()));
        Assert.All(dead.Calls(), c => Assert.Equal(500, c["status"]!.GetValue<int>()));
        Assert.StartsWith("exhausted", dead["reason"]!.GetValue<string>(), StringComparison.Ordinal);

        await fixture.Simulator.Inspector.SetFaultsAsync(FaultSettings.None);
        using var admin = AdminClient.For(gateway);
        var deadLetterId = (await admin.ListAsync()).Single(d => d!["operation_id"]!.GetValue<string>() == id)!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/dead-letters/{deadLetterId}/replay", null)).StatusCode);

        var delivered = (await gateway.WaitForStateAsync(id, OperationStates.Delivered, TimeSpan.FromSeconds(30)))!;
        Assert.NotNull(delivered["replayed_at"]);
        Assert.Equal([500, 500, 200], delivered.Calls().Select(c => c["status"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Updates_for_one_contact_sent_in_one_call_show_which_operation_carried_them()
    {
        var phone = NewPhone();
        var ids = new List<string>();
        await using (var intake = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, configureServices: GatewayHost.WithoutDrain))
        {
            for (var i = 0; i < 6; i++)
            {
                ids.Add(await intake.PostContactAsync($$"""{"phone_number": "{{phone}}", "attributes": {"n": {{i}}} }"""));
            }
        }

        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        var settled = await Eventually.WaitForAsync(
            async () => await Task.WhenAll(ids.Select(gateway.GetOperationAsync)),
            operations => operations.All(o => o?["state"]?.GetValue<string>() is OperationStates.Delivered or OperationStates.Merged),
            "every update to be delivered or merged");

        var merged = settled.Where(o => o!["state"]!.GetValue<string>() == OperationStates.Merged).ToList();
        Assert.NotEmpty(merged);
        foreach (var operation in merged)
        {
            var into = operation!["merged_into"]!.GetValue<string>();
            Assert.Contains(into, ids);
            Assert.Equal(OperationStates.Delivered, settled.Single(o => o!["operation_id"]!.GetValue<string>() == into)!["state"]!.GetValue<string>());
            Assert.Equal(200, Assert.Single(operation.Calls())["status"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Unknown_or_malformed_operation_id_answers_404_problem_json()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);

        foreach (var id in new[] { Guid.CreateVersion7().ToString("N"), "not-an-id", "0123456789abcdef0123456789abcdef", Guid.CreateVersion7().ToString("N").ToUpperInvariant() })
        {
            var response = await gateway.Client.GetAsync($"/api/operations/{id}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Operation_routes_refuse_callers_without_the_API_key()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        using var anonymous = AdminClient.For(gateway, key: "wrong-key");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/operations/{Guid.CreateVersion7():N}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/operations")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/deliveries")).StatusCode);
    }

    [Fact]
    public async Task Search_finds_operations_by_phone_and_state_newest_first_and_pages_without_repeats()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        var phone = NewPhone();
        var other = NewPhone();
        var mine = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            mine.Add(await gateway.PostContactAsync($$"""{"phone_number": "{{phone}}", "attributes": {"i": {{i}}} }"""));
        }
        var theirs = await gateway.PostContactAsync($$"""{"phone_number": "{{other}}", "attributes": {"i": 9} }""");
        foreach (var id in mine.Append(theirs))
        {
            // Updates for one contact may go out in one call: the others are then merged into it.
            await Eventually.WaitForAsync(() => gateway.GetOperationAsync(id),
                o => o?["state"]?.GetValue<string>() is OperationStates.Delivered or OperationStates.Merged, $"{id} to be sent");
        }

        var byPhone = await gateway.SearchAsync($"/api/operations?phone_number={Uri.EscapeDataString(phone)}");
        Assert.Equal(Enumerable.Reverse(mine), byPhone.Ids());

        var firstPage = await gateway.SearchAsync($"/api/operations?phone_number={phone[1..]}&limit=2");
        var cursor = firstPage["next_cursor"]!.GetValue<string>();
        var secondPage = await gateway.SearchAsync($"/api/operations?phone_number={phone[1..]}&limit=2&cursor={cursor}");
        Assert.Equal(Enumerable.Reverse(mine), firstPage.Ids().Concat(secondPage.Ids()));
        Assert.Null(secondPage["next_cursor"]);
        var delivered = byPhone["items"]!.AsArray().Where(o => o!["state"]!.GetValue<string>() == OperationStates.Delivered).Select(o => o!["operation_id"]!.GetValue<string>());
        Assert.Equal(delivered, (await gateway.SearchAsync($"/api/operations?phone_number={phone[1..]}&state=delivered")).Ids());

        var recent = await gateway.SearchAsync($"/api/operations?source=api&since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"))}&limit=200");
        Assert.Superset(mine.Append(theirs).ToHashSet(), recent.Ids().ToHashSet());
        Assert.Empty((await gateway.SearchAsync($"/api/operations?phone_number={phone[1..]}&state=dead_lettered")).Ids());
        Assert.Empty((await gateway.SearchAsync($"/api/operations?phone_number={phone[1..]}&until={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"))}")).Ids());
        Assert.Equal([theirs], (await gateway.SearchAsync($"/api/operations?operation_id={theirs}")).Ids());
    }

    [Theory]
    [InlineData("state=lost", "state")]
    [InlineData("phone_number=12ab", "phone_number")]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=2026-01-01T00:00:00Z&until=2026-03-01T00:00:00Z", "since")]
    [InlineData("limit=0", "limit")]
    [InlineData("cursor=%%%", "cursor")]
    [InlineData("operation_id=42", "operation_id")]
    [InlineData("integration=shop&import_id=abc", "integration")]
    public async Task Bad_search_parameters_answer_400_naming_the_parameter(string query, string parameter)
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);

        var response = await gateway.Client.GetAsync("/api/operations?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(problem["errors"]!.AsObject().ContainsKey(parameter), problem.ToJsonString());
    }
}
