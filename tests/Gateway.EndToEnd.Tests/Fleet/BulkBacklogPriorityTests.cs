using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Imports;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Simulator.Inspection;
using Xunit.Abstractions;

namespace Libromi.Gateway.EndToEnd.Fleet;

/// <summary>
/// Issue 4: live operations and an import uploaded through <c>POST /api/imports</c> share one account of 60 calls a
/// minute. Realtime goes first and bulk only uses what realtime leaves, yet bulk is never starved. One fake clock for
/// the gateway and the simulator; queues, tables and HTTP are real.
/// </summary>
public sealed class BulkBacklogPriorityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Limit = 60;
    // RateLimit:RealtimeReservePercent's default (10 %) of 60: the permits of a window bulk leaves to realtime.
    private const int Reserve = 6;
    // Permits one ledger round trip grants, handed out together. Set explicitly (the default is 25) so the bound on
    // how many bulk calls may race ahead of a realtime call stays tight enough to mean something.
    private const int MaxLease = 10;
    // 60 s / 60 permits; also the ledger's bucket width for the minute window, so permits free at this granularity.
    private static readonly TimeSpan PermitInterval = TimeSpan.FromMinutes(1) / Limit;
    // A whole window, its margin and the lease validity: every permit granted before the step has left the ledger.
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(70);
    private FleetFixture _fleet = null!;

    public async Task InitializeAsync() => _fleet = await FleetFixture.StartAsync(Limit);

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    [Fact]
    public async Task A_realtime_operation_behind_a_10000_row_import_goes_out_with_the_first_permits_that_free()
    {
        var stopwatch = Stopwatch.StartNew();
        await using var host = await StartHostAsync();
        using var upload = await host.PostFileAsync(ImportCsv(10_000));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        Assert.Equal(10_000, (await upload.ReadJsonAsync())["accepted"]!.GetValue<int>());
        var progress = upload.Headers.Location!.ToString();

        // Bulk takes all of the first window it may; earlier live operations then take the reserve bulk left.
        Assert.Equal(Limit - Reserve, FleetFixture.Delivered(await _fleet.WaitForQuietAsync()));
        for (var i = 0; i < Reserve; i++)
        {
            await PostLiveAsync(host, i);
        }
        var exhausted = await _fleet.WaitForQuietAsync();
        Assert.Equal((Limit, Reserve), (FleetFixture.Delivered(exhausted), exhausted.Count(IsLive)));

        // The window is used up, reserve included: the operation under test has to wait for permits to free.
        const int Probe = 99;
        await PostLiveAsync(host, Probe);
        var beforeFreeing = await _fleet.WaitForQuietAsync();
        Assert.Equal(exhausted.Count, beforeFreeing.Count);
        var lastBeforeFreeing = beforeFreeing.Max(r => r.Sequence);

        // Nothing granted at the start leaves the ledger before a whole minute has passed; from there, one interval at a time.
        _fleet.Clock.Advance(TimeSpan.FromMinutes(1) - (2 * PermitInterval));
        var requests = await _fleet.WaitForQuietAsync();
        var steps = 0;
        while (!requests.Any(r => IsLive(r, Probe)))
        {
            Assert.True(steps < 15, $"the realtime operation was not delivered {steps} permit intervals after the first minute; {requests.Count - beforeFreeing.Count} calls since it was posted");
            _fleet.Clock.Advance(PermitInterval);
            steps++;
            requests = await _fleet.WaitForQuietAsync();
        }

        var sincePosted = requests.Where(r => r.Sequence > lastBeforeFreeing).OrderBy(r => r.Sequence).ToArray();
        var probe = sincePosted.Single(r => IsLive(r, Probe));
        var intervals = (probe.ReceivedAt - sincePosted[0].ReceivedAt) / PermitInterval;
        var bulkAhead = sincePosted.TakeWhile(r => r != probe).Count(r => !IsLive(r));
        var bulkWithIt = sincePosted.Count(r => !IsLive(r) && r.ReceivedAt == probe.ReceivedAt);
        var pending = (await host.GetProgressAsync(progress))["pending"]!.GetValue<long>();
        output.WriteLine($"capacity freed {steps} steps after the jump; the realtime call went {intervals} permit intervals later, after {bulkAhead} bulk calls; {bulkWithIt} bulk calls in the same interval; {pending} import rows pending; {stopwatch.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(200, probe.StatusCode);
        Assert.True(intervals <= 2, $"the realtime call went {intervals} permit intervals after capacity freed");
        // Permits are granted MaxLease at a time and one lease's calls race over HTTP (0 to 9 bulk calls were seen ahead);
        // served in arrival order, it would queue behind all 24 bulk rows waiting in the limiter (one per running bulk group).
        Assert.True(bulkAhead < 2 * MaxLease, $"{bulkAhead} bulk calls reached Libromi before the realtime call once capacity freed");
        // Bulk was served from the same freed capacity, so the reserve did not hold it back: priority decided.
        Assert.True(bulkWithIt > Reserve, $"only {bulkWithIt} bulk calls in the interval that freed capacity");
        Assert.True(pending > 10_000 - (2 * Limit), $"{pending} import rows pending: the backlog was still waiting");
        Assert.DoesNotContain(requests, r => r.StatusCode == 429);
    }

    [Fact]
    public async Task Bulk_gets_permits_in_every_window_while_a_realtime_backlog_saturates_the_account()
    {
        var stopwatch = Stopwatch.StartNew();
        // Four windows of live operations, queued before any host runs.
        const int Backlog = 4 * Limit;
        await _fleet.EnqueueAsync(Enumerable.Range(0, Backlog).Select(i => FleetFixture.Update(LivePhone(i), new JsonObject { ["live"] = i })));
        await using var host = await StartHostAsync();
        using var upload = await host.PostFileAsync(ImportCsv(1_000));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);

        var seen = await _fleet.WaitForQuietAsync();
        List<(int Live, int Bulk)> windows = [];
        for (var window = 1; window <= 3; window++)
        {
            _fleet.Clock.Advance(Window);
            var requests = await _fleet.WaitForQuietAsync();
            var fresh = requests.Where(r => r.Sequence > (seen.Count == 0 ? 0 : seen.Max(s => s.Sequence))).ToArray();
            windows.Add((fresh.Count(IsLive), fresh.Count(r => !IsLive(r))));
            seen = requests;
        }
        output.WriteLine($"(live, bulk) calls per window after the first: {string.Join(", ", windows)}; {stopwatch.Elapsed.TotalSeconds:F1} s");

        Assert.DoesNotContain(seen, r => r.StatusCode == 429);
        Assert.True(RateLimitTests.MaxInAnyWindow(seen, TimeSpan.FromSeconds(60)) <= Limit, "more calls in one minute than the account allows");
        Assert.All(windows, w => Assert.True(w.Live >= Limit - MaxLease, $"realtime did not saturate its share: {string.Join(", ", windows)}"));
        Assert.All(windows, w => Assert.True(w.Bulk > 0, $"bulk starved in a window: (live, bulk) per window {string.Join(", ", windows)}"));
    }

    private Task<GatewayHost> StartHostAsync() => _fleet.StartHostAsync(new Dictionary<string, string?>
    {
        ["Libromi:RequestsPerMinute"] = Limit.ToString(),
        ["RateLimit:MaxLease"] = MaxLease.ToString(),
        // Longer than every step these tests take on the fake clock: waiters keep their place instead of going back to the queue.
        ["Processing:MaxPermitWait"] = "00:10:00",
    });

    private static string ImportCsv(int rows)
    {
        var csv = new StringBuilder("phone_number,name\n");
        for (var i = 0; i < rows; i++)
        {
            csv.Append("4477001").Append(i.ToString("D5")).Append(",Row ").Append(i).Append('\n');
        }
        return csv.ToString();
    }

    private static async Task PostLiveAsync(GatewayHost host, int n)
    {
        using var response = await host.PostJsonAsync("/api/contacts", $$$"""{"phone_number": "+{{{LivePhone(n)}}}", "attributes": {"live": {{{n}}}}}""");
        response.EnsureSuccessStatusCode();
    }

    private static string LivePhone(int n) => $"4477009{n:D6}";

    private static bool IsLive(RecordedRequest request) => request.Path.Contains("/contact/4477009", StringComparison.Ordinal);

    private static bool IsLive(RecordedRequest request, int n) => request.Path.Contains(LivePhone(n), StringComparison.Ordinal);
}
