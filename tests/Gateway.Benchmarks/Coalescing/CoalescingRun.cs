using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Libromi.Gateway.Benchmarks.Harness;
using Libromi.Simulator.Inspection;

namespace Libromi.Gateway.Benchmarks.Coalescing;

internal sealed record CoalescingResult(int Events, int Calls, bool EveryChangeArrived, int LastWins, int Contacts, TimeSpan Elapsed)
{
    public const double Target = 0.3;

    public double CallsPerEvent => (double)Calls / Events;

    public MarkdownTable ToTable() =>
        new MarkdownTable("events", "Libromi calls", "calls per event", "every change arrived", "contacts whose last update won", "elapsed")
            .Add(Events.ToString(CultureInfo.InvariantCulture), Calls.ToString(CultureInfo.InvariantCulture),
                $"**{CallsPerEvent.ToString("F3", CultureInfo.InvariantCulture)}** (target ≤ {Target.ToString(CultureInfo.InvariantCulture)}: {(CallsPerEvent <= Target ? "met" : "MISSED")})",
                EveryChangeArrived ? "yes" : "NO (timed out)", $"{LastWins}/{Contacts}", $"{Elapsed.TotalSeconds:F0} s");
}

/// <summary>
/// Issue 4's "fewer calls": a burst of repeated attribute updates to 50 contacts (10 each, each setting its own
/// attribute, round-robin as a CRM's edits arrive interleaved) is posted through a paused host, then one fresh host
/// drains it. Counts Libromi calls per event and checks that no attribute change was lost.
/// </summary>
internal sealed class CoalescingRun(AzuriteProcess azurite, SimulatorHost simulator, GatewayInstance pausedFiller)
{
    private const int Contacts = 50;
    private const int UpdatesPerContact = 10;

    public async Task<CoalescingResult> RunAsync(int limitPerMinute)
    {
        using (var http = new HttpClient { BaseAddress = pausedFiller.BaseAddress })
        {
            http.DefaultRequestHeaders.Add("x-functions-key", GatewayInstance.ApiKey);
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
        await FleetLedger.ForgetAsync(azurite);

        var stopwatch = Stopwatch.StartNew();
        var complete = false;
        await using (var host = await GatewayInstance.StartAsync(azurite, simulator, limitPerMinute, requestsPerHour: 10_000, pauseSending: false))
        {
            // Uncoalesced, 500 calls at 100/min would take five minutes; give it three.
            while (stopwatch.Elapsed < TimeSpan.FromMinutes(3) && !complete)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                complete = AllChangesArrived(await simulator.GetContactsAsync());
            }
        }

        var calls = (await simulator.GetRequestsAsync()).Count(r => r.Method == "PUT");
        var lastWins = (await simulator.GetContactsAsync())
            .Count(c => c.Attributes.TryGetValue("last", out var last) && last.GetInt32() == UpdatesPerContact - 1);
        return new CoalescingResult(Contacts * UpdatesPerContact, calls, complete, lastWins, Contacts, stopwatch.Elapsed);
    }

    private static bool AllChangesArrived(IReadOnlyList<ContactState> contacts) =>
        contacts.Count >= Contacts
        && contacts.All(c => Enumerable.Range(0, UpdatesPerContact).All(u => c.Attributes.ContainsKey($"a{u}")));
}
