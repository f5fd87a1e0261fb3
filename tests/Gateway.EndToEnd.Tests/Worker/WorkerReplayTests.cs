using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Libromi.Gateway.DeadLetters;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Operations;
using Libromi.Gateway.EndToEnd.Replays;
using Libromi.Gateway.EndToEnd.Worker.Rpc;
using Libromi.Gateway.Replays;

namespace Libromi.Gateway.EndToEnd.Worker;

/// <summary>
/// Replay jobs on the host users deploy: the Functions worker starts the job, its <c>ReplayJobPage</c> queue trigger works
/// every page from <c>replay-jobs</c>, and on a page's last delivery it stops the job as failed, as the standalone host does.
/// </summary>
public sealed class WorkerReplayTests(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    [Fact]
    public async Task A_replay_job_started_through_the_worker_works_every_page_in_its_queue_trigger_and_delivers_each_dead_letter_once()
    {
        await fixture.Pipeline.ResetAsync();
        var store = new DeadLetterStore(new TableServiceClient(fixture.Pipeline.Azurite.ConnectionString));
        await store.EnsureCreatedAsync();
        var phones = Enumerable.Range(0, 2 * WorkerFixture.ReplayPageSize + 3).Select(i => $"4477009{Random.Shared.Next(1, 9)}{i:D4}").Distinct().ToList();
        foreach (var phone in phones)
        {
            await DeadLetterSeed.AddAsync(store, DateTimeOffset.UtcNow.AddMinutes(-5), phone: phone);
        }
        using var admin = AdminClient();

        var location = await admin.StartReplayAsync("""{"source": "dead_letters", "all": true}""");
        var job = await admin.WaitForFinishAsync(location, TimeSpan.FromSeconds(90));

        Assert.Equal("completed", job["state"]!.GetValue<string>());
        Assert.Equal(phones.Count, job["replayed"]!.GetValue<int>());
        Assert.True(job["pages"]!.GetValue<int>() >= 3, $"expected at least 3 pages of {WorkerFixture.ReplayPageSize}: {job.ToJsonString()}");
        await Eventually.WaitForAsync(() => fixture.Pipeline.Simulator.Inspector.GetContactsAsync(),
            c => phones.All(p => c.Any(x => x.PhoneNumber == p)), "every replayed contact delivered through the worker's drain", TimeSpan.FromSeconds(90));
        Assert.Empty((await store.ListAsync(new DeadLetterFilter(), 10, null)).Entries);
        Assert.Empty(fixture.Worker.InvocationFailures);
    }

    [Fact]
    public async Task A_page_on_its_last_delivery_stops_the_job_as_failed_naming_the_page_and_earlier_deliveries_leave_it_running()
    {
        await fixture.Pipeline.ResetAsync();
        var jobs = new ReplayJobStore(new TableServiceClient(fixture.Pipeline.Azurite.ConnectionString));
        await jobs.EnsureCreatedAsync();
        // A job whose page 0 message was lost: its page 1 message can only ever come too early.
        var id = Guid.CreateVersion7().ToString("N");
        var request = ReplayRequest.Parse("""{"source": "dead_letters", "all": true}"""u8, DateTimeOffset.UtcNow, new Dictionary<string, string[]>())!;
        await jobs.AddAsync(ReplayJob.Create(id, request, DateTimeOffset.UtcNow));
        var text = new ReplayWork(id, 1).ToString();
        var maxDequeueCount = QueueTriggerOptions.FromHostJson(Path.Combine(fixture.Worker.AppDirectory, "host.json")).MaxDequeueCount;

        var early = await fixture.Worker.InvokeQueueAsync("ReplayJobPage", Delivery(text, maxDequeueCount - 1));
        Assert.NotEqual(StatusResult.Types.Status.Success, early.Result.Status);
        Assert.Equal(ReplayStates.Queued, (await jobs.GetAsync(id))!.Value.Job.State);

        var last = await fixture.Worker.InvokeQueueAsync("ReplayJobPage", Delivery(text, maxDequeueCount));
        Assert.NotEqual(StatusResult.Types.Status.Success, last.Result.Status);
        var failed = (await jobs.GetAsync(id))!.Value.Job;
        Assert.Equal(ReplayStates.Failed, failed.State);
        Assert.Equal($"page 1 came {maxDequeueCount} times before page 0 was recorded; the job stopped, start it again to finish", failed.Error);

        using var admin = AdminClient();
        var shown = (await admin.GetFromJsonAsync<JsonObject>($"/api/replays/{id}"))!;
        Assert.Equal("failed", shown["state"]!.GetValue<string>());
        Assert.Equal(failed.Error, shown["error"]!.GetValue<string>());
    }

    private HttpClient AdminClient()
    {
        var client = new HttpClient { BaseAddress = fixture.Worker.BaseAddress };
        client.DefaultRequestHeaders.Add("x-functions-key", GatewayHost.AdminKey);
        return client;
    }

    private static QueueDelivery Delivery(string text, long dequeueCount) =>
        new(text, dequeueCount, Guid.NewGuid().ToString(), "receipt", DateTimeOffset.UtcNow, DateTimeOffset.MaxValue, DateTimeOffset.UtcNow);
}
