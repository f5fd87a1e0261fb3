using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Libromi.Gateway.Benchmarks.Harness;
using Libromi.Gateway.Benchmarks.Pipeline;
using Libromi.Simulator.Inspection;

namespace Libromi.Gateway.Benchmarks.Coalescing;

/// <summary>
/// Issue 4's "fewer calls": a burst of repeated attribute updates to 50 contacts (10 each, each setting its own
/// attribute) is queued through a paused host, then one fresh host drains it. Prints Libromi calls per event
/// (target ≤ 0.3) and checks that no attribute change was lost.
/// </summary>
internal static class CoalescingBenchmark
{
    private const int Contacts = 50;
    private const int UpdatesPerContact = 10;
    private const int LimitPerMinute = 100;

    public static async Task RunAsync()
    {
        Console.WriteLine($"coalescing benchmark, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}, {Environment.ProcessorCount} cores");
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var simulator = await SimulatorHost.StartAsync(LimitPerMinute, requestsPerHour: 10_000);
        await using (var filler = await GatewayInstance.StartAsync(azurite, simulator, LimitPerMinute, requestsPerHour: 10_000, pauseSending: true))
        {
            using var http = new HttpClient { BaseAddress = filler.BaseAddress };
            http.DefaultRequestHeaders.Add("x-functions-key", GatewayInstance.ApiKey);
            // Round-robin over contacts, as a CRM's burst of edits arrives interleaved.
            for (var update = 0; update < UpdatesPerContact; update++)
            {
                for (var contact = 0; contact < Contacts; contact++)
                {
                    var body = $$$"""{"phone_number": "+4477009{{{contact:00000}}}", "attributes": {"a{{{update}}}": {{{update}}}, "last": {{{update}}}}}""";
                    using var content = new StringContent(body, Encoding.UTF8);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var response = await http.PostAsync("api/contacts", content);
                    if (response.StatusCode != HttpStatusCode.Accepted)
                    {
                        throw new InvalidOperationException($"An update was not accepted: {(int)response.StatusCode}.");
                    }
                }
            }
        }
        await simulator.ResetAsync();

        var events = Contacts * UpdatesPerContact;
        var stopwatch = Stopwatch.StartNew();
        var complete = false;
        await using (var host = await GatewayInstance.StartAsync(azurite, simulator, LimitPerMinute, requestsPerHour: 10_000, pauseSending: false))
        {
            // Uncoalesced, 500 calls at 100/min would take five minutes; give it three.
            while (stopwatch.Elapsed < TimeSpan.FromMinutes(3) && !complete)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                complete = AllChangesArrived(await simulator.GetContactsAsync());
            }
        }

        var requests = await simulator.GetRequestsAsync();
        var calls = requests.Count(r => r.Method == "PUT");
        var contacts = await simulator.GetContactsAsync();
        var lastWins = contacts.Count(c => c.Attributes.TryGetValue("last", out var last) && last.GetInt32() == UpdatesPerContact - 1);
        var ratio = (double)calls / events;
        Console.WriteLine();
        Console.WriteLine(new MarkdownTable("events", "Libromi calls", "calls per event", "every change arrived", "contacts whose last update won", "elapsed")
            .Add(events.ToString(CultureInfo.InvariantCulture), calls.ToString(CultureInfo.InvariantCulture),
                $"**{ratio.ToString("F3", CultureInfo.InvariantCulture)}** (target ≤ 0.3: {(ratio <= 0.3 ? "met" : "MISSED")})",
                complete ? "yes" : "NO (timed out)", $"{lastWins}/{Contacts}", $"{stopwatch.Elapsed.TotalSeconds:F0} s"));
    }

    private static bool AllChangesArrived(IReadOnlyList<ContactState> contacts) =>
        contacts.Count >= Contacts
        && contacts.All(c => Enumerable.Range(0, UpdatesPerContact).All(u => c.Attributes.ContainsKey($"a{u}")));
}
