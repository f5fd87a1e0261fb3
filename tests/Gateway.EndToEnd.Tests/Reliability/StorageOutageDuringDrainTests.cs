using System.Collections.Concurrent;
using System.Net;
using Libromi.Gateway.EndToEnd.Fixtures;
using Xunit.Abstractions;

namespace Libromi.Gateway.EndToEnd.Reliability;

/// <summary>
/// Storage goes away while senders keep posting and the processor drains: no 202 for anything not stored,
/// 503 with Retry-After instead, and everything acknowledged is delivered once storage is back, without a restart.
/// </summary>
public sealed class StorageOutageDuringDrainTests(ReliabilityFixture fixture, ITestOutputHelper output) : IClassFixture<ReliabilityFixture>
{
    private const int MaxPosts = 90;

    private sealed record Answer(int Index, HttpStatusCode Status, bool HasRetryAfter, string? MediaType, string Body, bool DuringOutage);

    [Fact]
    public async Task Every_operation_answered_202_during_an_outage_is_delivered_and_the_rest_got_503_with_Retry_After()
    {
        await fixture.ResetAsync();
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        var answers = new ConcurrentQueue<Answer>();
        var outage = false;
        using var stop = new CancellationTokenSource();

        var poster = Task.Run(async () =>
        {
            for (var i = 0; i < MaxPosts && !stop.IsCancellationRequested; i++)
            {
                var duringOutage = Volatile.Read(ref outage);
                using var response = await gateway.PostJsonAsync("/api/contacts", ReliabilityFixture.ContactJson(ReliabilityFixture.Phone(2, i), i, "outage"));
                answers.Enqueue(new Answer(i, response.StatusCode, response.Headers.RetryAfter is not null,
                    response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(), duringOutage));
                await Task.Delay(60);
            }
        });

        try
        {
            await Eventually.WaitForAsync(() => Task.FromResult(answers.Count(a => a.Status == HttpStatusCode.Accepted)), n => n >= 15, "15 accepted before the outage");
            await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetRequestsAsync(), r => r.Count > 0, "the drain to start");
            Volatile.Write(ref outage, true);
            await fixture.Azurite.StopAsync();
            await Eventually.WaitForAsync(() => Task.FromResult(answers.Count(a => a.DuringOutage && a.Status != HttpStatusCode.Accepted)), n => n >= 5,
                "5 refusals during the outage", TimeSpan.FromSeconds(60));
        }
        finally
        {
            Volatile.Write(ref outage, false);
            await fixture.Azurite.StartAsync();
        }

        var acceptedBeforeRestart = answers.Count(a => a.Status == HttpStatusCode.Accepted);
        await Eventually.WaitForAsync(() => Task.FromResult(answers.Count(a => a.Status == HttpStatusCode.Accepted)), n => n >= acceptedBeforeRestart + 15,
            "15 accepted after storage came back", TimeSpan.FromSeconds(60));
        stop.Cancel();
        await poster;

        var accepted = answers.Where(a => a.Status == HttpStatusCode.Accepted).Select(a => a.Index).ToHashSet();
        var refused = answers.Where(a => a.Status != HttpStatusCode.Accepted).ToList();
        var contacts = await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactsAsync(),
            c => accepted.All(i => c.Any(x => x.PhoneNumber == ReliabilityFixture.Phone(2, i) && x.Attributes.ContainsKey("seq"))),
            $"all {accepted.Count} accepted operations delivered", TimeSpan.FromSeconds(90));
        var requests = await fixture.Simulator.Inspector.GetRequestsAsync();
        var updates = ReliabilityFixture.SuccessfulUpdatesByPhone(requests);
        var lost = accepted.Count(i => contacts.SingleOrDefault(c => c.PhoneNumber == ReliabilityFixture.Phone(2, i))?.Attributes.TryGetValue("seq", out var seq) != true || seq.GetInt32() != i);
        // A 503 whose write did reach storage is allowed (the sender retries: a duplicate, never a loss).
        var refusedButDelivered = refused.Count(a => updates.ContainsKey(ReliabilityFixture.Phone(2, a.Index)));
        var deadLetters = await gateway.PeekDeadLettersAsync();
        var secretsFound = await SecretScan.FindAsync(gateway, [SimulatorFixture.AdminToken], answers.Select(a => a.Body));

        ReliabilityFigures.Report(output, "storage outage during ingest and drain",
        [
            ("operations sent", answers.Count), ("accepted (202)", accepted.Count), ("refused (503)", refused.Count),
            ("delivered", accepted.Count - lost), ("lost", lost), ("duplicated", updates.Values.Sum(n => n - 1)),
            ("refused but stored anyway", refusedButDelivered), ("dead-lettered", deadLetters.Count), ("secrets found", secretsFound.Count),
        ]);
        Assert.NotEmpty(refused);
        Assert.All(refused, a =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status);
            Assert.True(a.HasRetryAfter, $"operation {a.Index}: 503 without Retry-After");
            Assert.Equal("application/problem+json", a.MediaType);
        });
        Assert.Equal(0, lost);
        Assert.Empty(deadLetters);
        Assert.Empty(secretsFound);
    }
}
