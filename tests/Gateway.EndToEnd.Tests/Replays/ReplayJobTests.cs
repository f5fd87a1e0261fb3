using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Hooks;
using Libromi.Gateway.EndToEnd.Operations;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Replays;

namespace Libromi.Gateway.EndToEnd.Replays;

/// <summary>
/// Replay by filter as a background job. A mapping fixed after the fact is applied to yesterday's failures: deliveries
/// refused by a broken mapping are replayed by one filtered job with today's definition, each delivered once, none twice,
/// whatever is run again. Dead letters are replayed the same way, without the steps Libromi already took.
/// </summary>
public sealed class ReplayJobTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private const int Deliveries = 100;

    // The CRM sends {"contact": {"phone": ...}}; the first definition reads a field that does not exist.
    private static string Integrations(string phonePath) => $$"""
    {
      "integrations": {
        "crm": {
          "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "zapier-token" },
          "operations": [ { "upsert_contact": { "phone_number": "{{phonePath}}", "attributes": { "name": "contact.name" } } } ]
        }
      }
    }
    """;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Deliveries_refused_by_a_broken_mapping_are_all_delivered_once_by_one_filtered_replay_after_the_fix()
    {
        var block = Random.Shared.Next(1, 9);
        var phones = Enumerable.Range(0, Deliveries).Select(i => $"+4477009{block}{i:D4}").ToList();

        // 1. The broken mapping refuses every delivery with 422; nothing is queued. One forged delivery is refused with 401.
        await using (var broken = await HookGateway.StartAsync(fixture, Integrations("contact.mobile")))
        {
            foreach (var phone in phones)
            {
                var answer = await Senders.PostAsync(broken.BaseAddress, "crm", Body(phone), "application/json", ("X-Api-Key", HookGateway.ZapierToken));
                Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
            }
            var forged = await Senders.PostAsync(broken.BaseAddress, "crm", Body("+447700900999"), "application/json", ("X-Api-Key", "not-the-token"));
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
            Assert.Equal(0, broken.OperationsAccepted());
        }

        // 2. The mapping is fixed; the host comes back with the new integrations file.
 // Pages of 30: the job works through four pages, each with its own message and checkpoint.
        await using var gateway = await HookGateway.StartAsync(fixture, Integrations("contact.phone"), new Dictionary<string, string?> { ["Replays:PageSize"] = "30" });
        using var admin = AdminClient.For(gateway);
        var filter = """{"source": "deliveries", "filter": {"integration": "crm", "outcome": "invalid"}""";

        // 3. The dry run counts the 100 and queues nothing; without the outcome filter it also sees the forged one, never replayable.
        var dryRun = await Eventually.WaitForAsync(
            async () => (await (await admin.PostReplayAsync(filter + """, "dry_run": true}""")).Content.ReadFromJsonAsync<JsonObject>())!,
            count => count["matched"]?.GetValue<int>() == Deliveries, "the delivery log to hold the 100 refused deliveries", describe: c => c.ToJsonString());
        Assert.Equal(Deliveries, dryRun["replayable"]!.GetValue<int>());
        var everything = (await (await admin.PostReplayAsync("""{"source": "deliveries", "filter": {"integration": "crm"}, "all": true, "dry_run": true}""")).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(Deliveries + 1, everything["matched"]!.GetValue<int>());
        Assert.Equal(1, everything["not_replayable"]![ReplaySkipReasons.NotVerified]!.GetValue<int>());
        Assert.Equal(0, gateway.OperationsAccepted());
        Assert.Empty((await fixture.Azurite.CreateQueueServiceClient().GetQueueClient(QueueNames.ReplayJobs).PeekMessagesAsync(1)).Value);

        // 4. One filtered job replays all 100 with today's mapping.
        var location = await admin.StartReplayAsync(filter + "}");
        var job = await admin.WaitForFinishAsync(location);
        Assert.Equal("completed", job["state"]!.GetValue<string>());
        Assert.Equal(Deliveries, job["matched"]!.GetValue<int>());
        Assert.Equal(Deliveries, job["replayed"]!.GetValue<int>());
        Assert.Equal(0, job["failed"]!.GetValue<int>());
        Assert.True(job["pages"]!.GetValue<int>() >= 4, job.ToJsonString());
        Assert.NotNull(job["finished_at"]);

        var requests = await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetRequestsAsync(),
            r => phones.All(p => r.Any(q => q.Path.Contains(p[1..], StringComparison.Ordinal))), "all 100 contacts at the simulator", TimeSpan.FromMinutes(3));

        // The delivery log says which job replayed each delivery.
        var logged = (await gateway.Client.GetFromJsonAsync<JsonObject>("/api/deliveries?integration=crm&outcome=invalid&limit=1"))!["items"]![0]!;
        Assert.Equal(location[(location.LastIndexOf('/') + 1)..], logged["replayed_by"]!.GetValue<string>());
        Assert.Equal(location, logged["links"]!["replay"]!.GetValue<string>());

        // 5. The same job again skips every one; its first page worked again after a lost checkpoint sends nothing either.
        var again = await admin.WaitForFinishAsync(await admin.StartReplayAsync(filter + "}"));
        Assert.Equal(0, again["replayed"]!.GetValue<int>());
        Assert.Equal(Deliveries, again["skipped_by_reason"]![ReplaySkipReasons.AlreadyReplayed]!.GetValue<int>());

        var jobId = location[(location.LastIndexOf('/') + 1)..];
        await LoseCheckpointAsync(jobId);
        var reworked = await admin.WaitForFinishAsync(location);
        Assert.Equal("completed", reworked["state"]!.GetValue<string>());
        Assert.Equal(Deliveries, reworked["replayed"]!.GetValue<int>());

        // Whatever was still in flight has had time to arrive: each contact was sent exactly once.
        await Task.Delay(TimeSpan.FromSeconds(3));
        requests = await fixture.Simulator.Inspector.GetRequestsAsync();
        Assert.Equal(Deliveries, gateway.OperationsAccepted());
        // A call Libromi refused with 429 was not taken: the request log shows each contact accepted exactly once.
        Assert.All(phones, phone => Assert.Single(requests, r => r.Path.Contains(phone[1..], StringComparison.Ordinal) && r.StatusCode is >= 200 and < 300));
    }

    [Fact]
    public async Task Bad_replay_requests_are_refused_with_a_problem_and_queue_nothing()
    {
        await using var gateway = await HookGateway.StartAsync(fixture, Integrations("contact.phone"));
        using var admin = AdminClient.For(gateway);

        foreach (var (json, field) in new[]
        {
            ("""{"source": "operations", "all": true}""", "source"),
            ("""{"source": "dead_letters"}""", "all"),
            ("""{"source": "deliveries", "filter": {"integration": "crm", "since": "last tuesday"}}""", "filter.since"),
            ("""{"source": "deliveries", "filter": {"outcome": "invalid"}}""", "filter.integration"),
        })
        {
            var response = await admin.PostReplayAsync(json);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.NotNull(problem["errors"]![field]);
        }
        var notJson = await admin.PostAsync("/api/replays", new StringContent("source=deliveries"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/replays/0190a1b2c3d4e5f60718293a4b5c6d7e")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Client.PostReplayAsync("""{"source": "dead_letters", "all": true, "dry_run": true}""")).StatusCode);
        Assert.Empty((await fixture.Azurite.CreateQueueServiceClient().GetQueueClient(QueueNames.ReplayJobs).PeekMessagesAsync(1)).Value);
    }

    [Fact]
    public async Task Dead_letters_matched_by_a_filter_are_replayed_by_a_job_and_delivered()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?> { ["Replays:PageSize"] = "7" });
        using var admin = AdminClient.For(gateway);
        var at = DateTimeOffset.UtcNow.AddHours(-1);
        var block = Random.Shared.Next(1, 9);
        var phones = Enumerable.Range(0, 30).Select(i => $"4477008{block}{i:D4}").ToList();
        for (var i = 0; i < phones.Count; i++)
        {
            await DeadLetterSeed.AddAsync(gateway.DeadLetters, at.AddSeconds(i), source: "hook:shop", reasonClass: DeadLetterReasonsExhausted, phone: phones[i]);
        }
        var other = await DeadLetterSeed.AddAsync(gateway.DeadLetters, at, source: "api", phone: "447700900820");
        await DeadLetterSeed.AddUnreadableAsync(gateway.DeadLetters, at.AddMinutes(5));
        var filter = """{"source": "dead_letters", "filter": {"source": "hook:shop"}""";

        var dryRun = (await (await admin.PostReplayAsync(filter + """, "dry_run": true}""")).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(phones.Count, dryRun["matched"]!.GetValue<int>());
        Assert.Equal(phones.Count + 2, (await admin.ListAsync("?limit=200")).Count);

        var job = await admin.WaitForFinishAsync(await admin.StartReplayAsync(filter + "}"));

        Assert.Equal("completed", job["state"]!.GetValue<string>());
        Assert.Equal(phones.Count, job["replayed"]!.GetValue<int>());
        Assert.True(job["pages"]!.GetValue<int>() >= 5, job.ToJsonString());
        Assert.Contains(other.Id, (await admin.ListAsync()).Select(d => d!["id"]!.GetValue<string>()));
        Assert.Equal(2, (await admin.ListAsync()).Count);
        var requests = await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetRequestsAsync(),
            r => phones.All(p => r.Any(q => q.Path.Contains(p, StringComparison.Ordinal))), "the replayed dead letters at the simulator", TimeSpan.FromMinutes(2));
        Assert.All(phones, phone => Assert.Single(requests, r => r.Path.Contains(phone, StringComparison.Ordinal) && r.StatusCode is >= 200 and < 300));
    }

    [Fact]
    public async Task A_dead_letter_keeps_only_the_steps_not_yet_delivered_so_a_replay_job_never_repeats_a_delivered_step()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        using var admin = AdminClient.For(gateway);
        const string Phone = "447700900557";
        await fixture.Simulator.Inspector.SeedConversationAsync(Phone);

        // The attribute update goes through; the assignment to an unknown staff member is refused (404) and dead-lettered.
        var accepted = await gateway.PostJsonAsync("/api/contacts", $$"""{"phone_number": "+{{Phone}}", "attributes": {"city": "Leeds"}, "staff_email": "nobody@company.test"}""");
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var deadLetter = (await Eventually.WaitForAsync(async () => (await gateway.DeadLetters.ListAsync(new global::Libromi.Gateway.DeadLetters.DeadLetterFilter(), 10, null)).Entries,
            e => e.Count == 1, "the assignment dead-lettered"))[0];
        var step = Assert.Single(deadLetter.Record.Envelope!.Steps);
        Assert.Equal(global::Libromi.Gateway.Operations.OperationKind.AssignStaff, step.Kind);

        var job = await admin.WaitForFinishAsync(await admin.StartReplayAsync("""{"source": "dead_letters", "filter": {"source": "api"}}"""));
        Assert.Equal(1, job["replayed"]!.GetValue<int>());

        // The replayed assignment is refused again (the staff member still does not exist); the update was sent once only.
        await Eventually.WaitForAsync(async () => (await gateway.DeadLetters.ListAsync(new global::Libromi.Gateway.DeadLetters.DeadLetterFilter(), 10, null)).Entries,
            e => e.Count == 1 && e[0].Id != deadLetter.Id, "the replayed assignment dead-lettered again");
        var requests = await fixture.Simulator.Inspector.GetRequestsAsync();
        Assert.Single(requests, r => r.Path.EndsWith($"/contact/{Phone}/attributes", StringComparison.Ordinal) && r.StatusCode is >= 200 and < 300);
        Assert.Equal(2, requests.Count(r => r.Path.EndsWith("/conversation/assign-staff", StringComparison.Ordinal) && r.StatusCode == 404));
    }

    [Fact]
    public async Task A_page_that_fails_on_every_delivery_stops_its_job_as_failed_and_is_kept_in_replay_jobs_poison()
    {
        // Three deliveries 0.2 s apart instead of host.json's five 10 s apart; the rule is the same.
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator,
            new Dictionary<string, string?> { ["Queues:MaxDequeueCount"] = "3", ["Queues:VisibilityTimeout"] = "00:00:00.200" });
        var jobs = gateway.App.Services.GetRequiredService<ReplayJobStore>();
        await jobs.EnsureCreatedAsync();
        // A job whose page 0 message was lost: its page 1 message can only ever come too early.
        var id = Guid.CreateVersion7().ToString("N");
        var request = ReplayRequest.Parse("""{"source": "dead_letters", "all": true}"""u8, DateTimeOffset.UtcNow, new Dictionary<string, string[]>())!;
        await jobs.AddAsync(ReplayJob.Create(id, request, DateTimeOffset.UtcNow));
        await gateway.App.Services.GetRequiredService<ReplayWorkQueue>().EnqueueAsync(new ReplayWork(id, 1), visibilityDelay: null);

        using var admin = AdminClient.For(gateway);
        var job = await admin.WaitForFinishAsync($"/api/replays/{id}", TimeSpan.FromSeconds(30));

        Assert.Equal("failed", job["state"]!.GetValue<string>());
        Assert.Equal("page 1 came 3 times before page 0 was recorded; the job stopped, start it again to finish", job["error"]!.GetValue<string>());
        var queues = fixture.Azurite.CreateQueueServiceClient();
        var poisoned = await Eventually.WaitForAsync(
            async () => (await queues.GetQueueClient(QueueNames.PoisonOf(QueueNames.ReplayJobs)).PeekMessagesAsync(10)).Value,
            m => m.Length == 1, "the page's message in replay-jobs-poison");
        Assert.Equal(new ReplayWork(id, 1).ToString(), poisoned[0].Body.ToString());
        Assert.Empty((await queues.GetQueueClient(QueueNames.ReplayJobs).PeekMessagesAsync(10)).Value);
        Assert.Contains(gateway.Logs.GetSnapshot(), log => log.Id.Name == "ReplayWorkAbandoned");
    }

    private const string DeadLetterReasonsExhausted = global::Libromi.Gateway.Operations.DeadLetterReasons.Exhausted;

    private static string Body(string phone) => $$$"""{"contact": {"phone": "{{{phone}}}", "name": "Replay {{{phone[^4..]}}}"}}""";

    /// <summary>As if the worker died after working page 0 but before its checkpoint: the job back at page 0, and page 0's message again.</summary>
    private async Task LoseCheckpointAsync(string jobId)
    {
        var table = new TableServiceClient(fixture.Azurite.ConnectionString).GetTableClient(ReplayJobStore.TableName);
        var row = (await table.GetEntityAsync<TableEntity>("job", jobId)).Value;
        row["State"] = ReplayStates.Running;
        row["Page"] = 0;
        row["Cursor"] = null;
        row["Matched"] = 0;
        row["Replayed"] = 0;
        row["FinishedAt"] = null;
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        await fixture.Azurite.CreateQueueServiceClient().GetQueueClient(QueueNames.ReplayJobs).SendMessageAsync(new ReplayWork(jobId, 0).ToString());
    }
}
