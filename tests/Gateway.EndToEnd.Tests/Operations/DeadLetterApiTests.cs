using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Queueing;
using Libromi.Simulator.Faults;
using Libromi.Gateway.Operations;
using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.EndToEnd.Operations;

/// <summary>The admin API over real storage: inspect, filter, page, replay and delete dead letters.</summary>
public sealed class DeadLetterApiTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset Base = new(2026, 10, 30, 8, 0, 0, TimeSpan.Zero);

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Exhausted_operation_is_listed_with_its_reason_and_replay_delivers_it_with_a_fresh_attempt_count()
    {
        await fixture.Simulator.Inspector.SetFaultsAsync(new FaultSettings { ServerErrorRate = 1.0 });
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?> { ["Processing:MaxAttempts"] = "2" });
        using var admin = AdminClient.For(gateway);

        var accepted = await gateway.PostJsonAsync("/api/contacts", """{"phone_number": "+447700900801", "attributes": {"plan": "gold"}}""");
        var operationId = (await accepted.Content.ReadFromJsonAsync<JsonObject>())!["operation_id"]!.GetValue<string>();
        var items = await Eventually.WaitForAsync(() => admin.ListAsync(), i => i.Count == 1, "the operation to be dead-lettered");

        var item = items[0]!;
        Assert.Equal(operationId, item["operation_id"]!.GetValue<string>());
        Assert.Equal(DeadLetterReasons.Exhausted, item["reason_class"]!.GetValue<string>());
        Assert.Contains("Gave up after 2", item["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("api", item["source"]!.GetValue<string>());
        Assert.Equal(2, item["envelope"]!["attempt"]!.GetValue<int>());

        await fixture.Simulator.Inspector.SetFaultsAsync(FaultSettings.None);
        var replay = await admin.PostAsync($"/api/dead-letters/{item["id"]!.GetValue<string>()}/replay", null);

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var answer = (await replay.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(operationId, answer["operation_id"]!.GetValue<string>());
        Assert.Equal("realtime", answer["lane"]!.GetValue<string>());
        var contact = await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactAsync("+447700900801"),
            c => c is not null && c.Attributes.ContainsKey("plan"), "the replayed operation to be delivered");
        Assert.Equal("gold", contact!.Attributes["plan"].GetString());
        Assert.Empty(await admin.ListAsync());
        Assert.Contains(gateway.Logs.GetSnapshot(), r => r.Id.Name == "DeadLetterReplayed" && r.Message.Contains(operationId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replay_resets_the_attempt_count_keeps_the_history_and_uses_the_envelopes_lane()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        var state = gateway.App.Services.GetRequiredService<SendingState>();
        // Hold sending so the replayed message stays in its queue where the test can read it.
        state.OpenCircuit("held by test", TimeSpan.FromHours(1));
        using var admin = AdminClient.For(gateway);
        var entry = await DeadLetterSeed.AddAsync(gateway.DeadLetters, Base, source: "import:abc", lane: Lane.Bulk);

        var replay = await admin.PostAsync($"/api/dead-letters/{entry.Id}/replay", null);

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var message = Assert.Single((await gateway.Queues.Bulk.PeekMessagesAsync(10)).Value);
        Assert.True(EnvelopeSerializer.TryDeserialize(message.Body.ToString(), out var envelope, out _));
        Assert.Equal(0, envelope.Attempt);
        Assert.Equal(["Rejected", "Replayed"], envelope.History!.Select(h => h.Outcome));
        Assert.Equal(entry.OperationId, envelope.OperationId);
        Assert.Empty((await gateway.Queues.Realtime.PeekMessagesAsync(10)).Value);
    }

    [Fact]
    public async Task Api_key_and_no_key_are_refused_on_every_admin_route()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        var entry = await DeadLetterSeed.AddAsync(gateway.DeadLetters, Base);

        foreach (var key in new[] { GatewayHost.ApiKey, null, "wrong-key" })
        {
            using var client = AdminClient.For(gateway, key);
            // Loopback callers are served without a key only when none is configured; here one is.
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/dead-letters")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync($"/api/dead-letters/{entry.Id}/replay", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/dead-letters/replay?all=true", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.DeleteAsync($"/api/dead-letters/{entry.Id}")).StatusCode);
        }
        Assert.Single(await gateway.PeekDeadLettersAsync());
    }

    [Fact]
    public async Task Listing_is_newest_first_filters_by_class_source_and_time_and_pages_with_a_cursor()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        using var admin = AdminClient.For(gateway);
        var store = gateway.DeadLetters;
        var oldest = await DeadLetterSeed.AddAsync(store, Base.AddDays(-2), source: "hook:shop");
        var middle = await DeadLetterSeed.AddAsync(store, Base.AddDays(-1), source: "api", reasonClass: DeadLetterReasons.Exhausted);
        var newer = await DeadLetterSeed.AddAsync(store, Base, source: "hook:shop");
        var newest = await DeadLetterSeed.AddAsync(store, Base.AddHours(1), source: "import:42");
        var unreadable = await DeadLetterSeed.AddUnreadableAsync(store, Base.AddHours(2));

        var ids = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = (await admin.GetFromJsonAsync<JsonObject>("/api/dead-letters?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))))!;
            var items = page["items"]!.AsArray();
            Assert.InRange(items.Count, 1, 2);
            ids.AddRange(items.Select(i => i!["id"]!.GetValue<string>()));
            cursor = page["next_cursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal([unreadable.Id, newest.Id, newer.Id, middle.Id, oldest.Id], ids);
        Assert.Equal([newer.Id, oldest.Id], Ids(await admin.ListAsync("?source=hook:shop")));
        Assert.Equal([middle.Id], Ids(await admin.ListAsync("?reason_class=exhausted")));
        Assert.Equal([unreadable.Id], Ids(await admin.ListAsync("?reason_class=unreadable")));
        Assert.Equal([newer.Id, middle.Id], Ids(await admin.ListAsync($"?since={Base.AddDays(-1):O}&until={Base:O}".Replace("+", "%2B", StringComparison.Ordinal))));
    }

    [Theory]
    [InlineData("?reason_class=lost", "reason_class")]
    [InlineData("?since=yesterday", "since")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?cursor=%%%", "cursor")]
    public async Task Bad_list_parameters_get_a_validation_problem_naming_the_parameter(string query, string parameter)
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        using var admin = AdminClient.For(gateway);

        var response = await admin.GetAsync("/api/dead-letters" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]![parameter]);
    }

    [Fact]
    public async Task Bulk_replay_needs_a_filter_or_all_and_a_dry_run_only_counts()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        using var admin = AdminClient.For(gateway);
        for (var i = 0; i < 3; i++)
        {
            await DeadLetterSeed.AddAsync(gateway.DeadLetters, Base.AddMinutes(i), source: "hook:shop", phone: $"44770090081{i}");
        }
        var other = await DeadLetterSeed.AddAsync(gateway.DeadLetters, Base.AddMinutes(5), source: "api", phone: "447700900820");

        var unfiltered = await admin.PostAsync("/api/dead-letters/replay", null);
        var dryRun = await admin.PostAsync("/api/dead-letters/replay?source=hook:shop&dry_run=true", null);

        Assert.Equal(HttpStatusCode.BadRequest, unfiltered.StatusCode);
        Assert.Equal(HttpStatusCode.OK, dryRun.StatusCode);
        Assert.Equal(3, (await dryRun.Content.ReadFromJsonAsync<JsonObject>())!["matched"]!.GetValue<int>());
        Assert.Equal(4, (await admin.ListAsync()).Count);

        var replay = await admin.PostAsync("/api/dead-letters/replay?source=hook:shop", null);

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var summary = (await replay.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(3, summary["replayed"]!.GetValue<int>());
        Assert.False(summary["more"]!.GetValue<bool>());
        Assert.Equal([other.Id], Ids(await admin.ListAsync()));
        await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactsAsync(), c => c.Count == 3, "the three replayed operations delivered");
    }

    [Fact]
    public async Task Replaying_everything_skips_unreadable_messages_and_says_so()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        using var admin = AdminClient.For(gateway);
        await DeadLetterSeed.AddAsync(gateway.DeadLetters, Base);
        var unreadable = await DeadLetterSeed.AddUnreadableAsync(gateway.DeadLetters, Base.AddMinutes(1));

        var replay = await admin.PostAsync("/api/dead-letters/replay?all=true", null);
        var single = await admin.PostAsync($"/api/dead-letters/{unreadable.Id}/replay", null);

        var summary = (await replay.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(1, summary["replayed"]!.GetValue<int>());
        Assert.Equal(1, summary["not_replayable"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Conflict, single.StatusCode);
        Assert.Equal([unreadable.Id], Ids(await admin.ListAsync()));
    }

    [Fact]
    public async Task Deleting_a_dead_letter_removes_it_and_writes_an_audit_line()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        using var admin = AdminClient.For(gateway);
        var kept = await DeadLetterSeed.AddAsync(gateway.DeadLetters, Base);
        var doomed = await DeadLetterSeed.AddAsync(gateway.DeadLetters, Base.AddMinutes(1));

        var deleted = await admin.DeleteAsync($"/api/dead-letters/{doomed.Id}");
        var again = await admin.DeleteAsync($"/api/dead-letters/{doomed.Id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal([kept.Id], Ids(await admin.ListAsync()));
        var audit = Assert.Single(gateway.Logs.GetSnapshot(), r => r.Id.Name == "DeadLetterDeleted");
        Assert.Contains("admin key", audit.Message, StringComparison.Ordinal);
        Assert.Contains(doomed.Id, audit.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayHost.AdminKey, audit.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-an-id")]
    [InlineData("0000000000000000000-0123456789abcdef0123456789abcdef")]
    public async Task Unknown_ids_are_not_found(string id)
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        using var admin = AdminClient.For(gateway);

        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/dead-letters/{id}/replay", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/dead-letters/{id}")).StatusCode);
    }

    private static List<string> Ids(JsonArray items) => [.. items.Select(i => i!["id"]!.GetValue<string>())];
}
