using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;
using Libromi.Simulator.Inspection;
using Xunit.Abstractions;

namespace Libromi.Gateway.EndToEnd.Worker;

/// <summary>
/// The drain is one consumer for both hosts: the same burst costs the same calls whether the Functions worker's wake
/// trigger runs it or the standalone host's drain service does.
/// </summary>
public sealed class WorkerCoalescingTests(WorkerFixture fixture, ITestOutputHelper output) : IClassFixture<WorkerFixture>
{
    private const int Contacts = 50, UpdatesPerContact = 10;
    private const double MostCallsPerEvent = 0.3;

    [Fact]
    public async Task A_burst_of_500_updates_on_50_contacts_costs_at_most_three_calls_in_ten_events_through_the_worker_as_through_the_standalone_host()
    {
        await fixture.Pipeline.ResetAsync();
        var queues = new OperationQueues(fixture.Pipeline.Azurite.CreateQueueServiceClient());
        await queues.EnsureCreatedAsync();

        // Through the Functions worker: the burst is queued, then one wake message starts its drain.
        var workerPhones = Phones(run: 1);
        await EnqueueBurstAsync(queues, workerPhones);
        await new DrainWakeupsProbe(fixture.Pipeline.Azurite).WakeAsync();
        var workerCalls = await WaitForLastValuesAsync(workerPhones);
        // The worker's run ends once the queues have stayed empty a while and lets go of the drain; only then may the
        // second burst be queued, or the worker would send part of it.
        await Eventually.WaitForAsync(() => DrainHeldAsync(fixture.Pipeline.Azurite), held => !held, "the worker's drain run to end", TimeSpan.FromSeconds(30));

        // Through the standalone host: the same burst, queued before the host starts, drained by its drain service.
        var standalonePhones = Phones(run: 2);
        await EnqueueBurstAsync(queues, standalonePhones);
        await using (await GatewayHost.StartAsync(fixture.Pipeline.Azurite, fixture.Pipeline.Simulator, fixture.GatewaySettings))
        {
            var standaloneCalls = await WaitForLastValuesAsync(standalonePhones);

            var events = Contacts * UpdatesPerContact;
            output.WriteLine($"calls per event: worker {workerCalls / (double)events:F2} ({workerCalls} calls), standalone {standaloneCalls / (double)events:F2} ({standaloneCalls} calls), for {events} events");
            Assert.InRange(workerCalls, Contacts, (int)(MostCallsPerEvent * events));
            Assert.InRange(standaloneCalls, Contacts, (int)(MostCallsPerEvent * events));
        }
        Assert.Empty(fixture.Worker.InvocationFailures);
    }

    private static async Task<bool> DrainHeldAsync(AzuriteFixture azurite)
    {
        var blob = new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(DrainLeadership.ContainerName).GetBlobClient("leader");
        return (await blob.GetPropertiesAsync()).Value.LeaseState == Azure.Storage.Blobs.Models.LeaseState.Leased;
    }

    private static string[] Phones(int run) => [.. Enumerable.Range(0, Contacts).Select(c => $"44770{run:D2}7{c:D4}")];

    private static async Task EnqueueBurstAsync(OperationQueues queues, string[] phones)
    {
        // Interleaved, as a CRM's edits arrive: every receive holds updates for many contacts.
        var burst = from round in Enumerable.Range(0, UpdatesPerContact)
                    from phone in phones
                    select new OperationEnvelope
                    {
                        OperationId = Guid.NewGuid().ToString("N"),
                        PhoneNumber = phone,
                        Steps = [OperationStep.UpdateAttributes(new JsonObject { [$"a{round}"] = round, ["last"] = round })],
                        Source = "api",
                        Lane = Lane.Realtime,
                        ReceivedAt = DateTimeOffset.UtcNow,
                        CorrelationId = Guid.NewGuid().ToString("N"),
                    };
        // One at a time: a contact's updates must be stored in the order they were made.
        foreach (var envelope in burst)
        {
            await queues.EnqueueAsync(envelope);
        }
    }

    /// <summary>Waits until every contact holds its last update and every earlier one; returns the calls made for them.</summary>
    private async Task<int> WaitForLastValuesAsync(string[] phones)
    {
        await Eventually.WaitForAsync(() => fixture.Pipeline.Simulator.Inspector.GetContactsAsync(),
            contacts => phones.All(phone => contacts.SingleOrDefault(c => c.PhoneNumber == phone) is { } contact
                && contact.Attributes.TryGetValue("last", out var last) && last.GetInt32() == UpdatesPerContact - 1
                && Enumerable.Range(0, UpdatesPerContact).All(round => contact.Attributes.ContainsKey($"a{round}"))),
            $"every contact's updates ({phones[0]}...)", TimeSpan.FromMinutes(3), contacts =>
                string.Join("; ", phones.Select(phone => contacts.SingleOrDefault(c => c.PhoneNumber == phone))
                    .Where(contact => contact is null || !contact.Attributes.TryGetValue("last", out var last) || last.GetInt32() != UpdatesPerContact - 1 || contact.Attributes.Count < UpdatesPerContact + 1)
                    .Take(5).Select(contact => contact is null ? "a contact is missing" : $"{contact.PhoneNumber}: {string.Join(",", contact.Attributes.Select(a => $"{a.Key}={a.Value}"))}"))
                + $"; worker failures: {string.Join("; ", fixture.Worker.InvocationFailures.Take(5))}");
        IReadOnlyList<RecordedRequest> requests = await fixture.Pipeline.Simulator.Inspector.GetRequestsAsync();
        return requests.Count(r => r.Method == "PUT" && phones.Any(phone => r.Path.Contains(phone, StringComparison.Ordinal)));
    }

    /// <summary>Writes a wake message the way ingest does, for work a test stored straight into the queue.</summary>
    private sealed class DrainWakeupsProbe(AzuriteFixture azurite)
    {
        public async Task WakeAsync()
        {
            var queue = azurite.CreateQueueServiceClient().GetQueueClient(QueueNames.Wake);
            await queue.CreateIfNotExistsAsync();
            await queue.SendMessageAsync("wake");
        }
    }
}
