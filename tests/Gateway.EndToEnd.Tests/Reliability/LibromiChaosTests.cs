using System.Net;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Simulator.Faults;
using Xunit.Abstractions;

namespace Libromi.Gateway.EndToEnd.Reliability;

/// <summary>
/// Libromi misbehaving in every way the simulator can: server errors with HTML bodies, 429s with and without
/// retry hints, answers slower than the attempt timeout. Everything is delivered, nothing dead-lettered, and the
/// account's per-minute limit is never exceeded.
/// </summary>
public sealed class LibromiChaosTests(ReliabilityFixture fixture, ITestOutputHelper output) : IClassFixture<ReliabilityFixture>
{
    // Two phases of 40: with retries the run needs more than the 100 calls one minute window allows, so the
    // sliding-window check below is a real one.
    private const int OperationsPerPhase = 40;

    [Fact]
    public async Task Server_errors_429s_and_slow_answers_deliver_everything_without_dead_letters_or_exceeding_the_limit()
    {
        await fixture.ResetAsync();
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        var faults = new FaultSettings
        {
            ServerErrorRate = 0.20,
            HtmlErrorBodies = true,
            RateLimitedRate = 0.10,
            // Past Libromi:AttemptTimeout (2 s, GatewayHost); Libromi:TotalTimeout is 5 s.
            SlowResponseRate = 0.05,
            SlowResponseMs = 3000,
        };

        // Phase 1: injected 429s carry both hints (Retry-After and retry_after_seconds).
        await fixture.Simulator.Inspector.SetFaultsAsync(faults with { RateLimitHint = RateLimitHint.Both, Seed = 11 });
        await IngestAsync(gateway, 0, OperationsPerPhase);
        await WaitForContactsAsync(OperationsPerPhase);

        // Phase 2: injected 429s carry no hint at all, so the gateway falls back to its own pause.
        await fixture.Simulator.Inspector.SetFaultsAsync(faults with { RateLimitHint = RateLimitHint.None, Seed = 12 });
        await IngestAsync(gateway, OperationsPerPhase, OperationsPerPhase);
        var total = 2 * OperationsPerPhase;
        var contacts = await WaitForContactsAsync(total);

        var requests = await fixture.Simulator.Inspector.GetRequestsAsync();
        var updates = ReliabilityFixture.SuccessfulUpdatesByPhone(requests);
        var lost = Enumerable.Range(0, total).Count(i =>
            contacts.SingleOrDefault(c => c.PhoneNumber == ReliabilityFixture.Phone(3, i))?.Attributes.TryGetValue("seq", out var seq) != true || seq.GetInt32() != i);
        var deadLetters = await gateway.PeekDeadLettersAsync();
        var maxPerMinute = ReliabilityFixture.MaxInAnyMinute(requests);
        var secretsFound = await SecretScan.FindAsync(gateway, [SimulatorFixture.AdminToken]);

        ReliabilityFigures.Report(output, "Libromi chaos (20% 5xx HTML, 10% 429, 5% slow)",
        [
            ("operations sent", total), ("delivered", updates.Count), ("lost", lost), ("duplicated", updates.Values.Sum(n => n - 1)),
            ("dead-lettered", deadLetters.Count), ("calls", requests.Count), ("5xx", requests.Count(r => r.StatusCode >= 500)),
            ("429 injected", requests.Count(r => r.StatusCode == 429)), ("slow, cut off by the gateway", requests.Count(r => r.ClientAborted)),
            ("max admitted in any 60 s", maxPerMinute), ("limit per minute", 100), ("secrets found", secretsFound.Count),
        ]);
        Assert.Equal(0, lost);
        Assert.Equal(total, updates.Count);
        Assert.Empty(deadLetters);
        // The faults did happen (otherwise this proves nothing).
        Assert.Contains(requests, r => r.StatusCode == 502);
        Assert.Contains(requests, r => r.StatusCode == 429);
        Assert.True(requests.Count > 100, $"the run should need more than one window's 100 calls, made {requests.Count}");
        Assert.InRange(maxPerMinute, 1, 100);
        Assert.Empty(secretsFound);
    }

    private static async Task IngestAsync(GatewayHost gateway, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            using var response = await gateway.PostJsonAsync("/api/contacts", ReliabilityFixture.ContactJson(ReliabilityFixture.Phone(3, i), i, "chaos"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    private Task<IReadOnlyList<global::Libromi.Simulator.Inspection.ContactState>> WaitForContactsAsync(int count) =>
        Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactsAsync(),
            c => c.Count(x => x.Attributes.ContainsKey("seq")) >= count, $"{count} contacts updated", TimeSpan.FromSeconds(150));
}
