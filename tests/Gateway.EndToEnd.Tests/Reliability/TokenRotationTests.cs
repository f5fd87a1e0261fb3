using System.Net;
using Azure.Core;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.KeyVault;
using Libromi.Gateway.Secrets;
using Libromi.Simulator.Faults;
using Xunit.Abstractions;
using Libromi.Gateway.RateLimiting;

namespace Libromi.Gateway.EndToEnd.Reliability;

/// <summary>
/// The token is revoked at Libromi mid-drain, then rotated in the secret store (a fake Key Vault read through
/// the real SecretClient): nothing is dead-lettered, the backlog waits, and sending resumes without a restart.
/// </summary>
public sealed class TokenRotationTests(ReliabilityFixture fixture, ITestOutputHelper output) : IClassFixture<ReliabilityFixture>
{
    private const string TokenSecretName = "libromi-api-token";
    private const int Operations = 60;

    [Fact]
    public async Task Token_revoked_mid_drain_then_rotated_in_the_vault_resumes_within_a_minute_with_nothing_dead_lettered()
    {
        await fixture.ResetAsync();
        await using var vault = await FakeKeyVault.StartAsync();
        vault.SetSecret(TokenSecretName, SimulatorFixture.AdminToken);
        var rotated = "rotated-" + Guid.NewGuid().ToString("N");
        // Each call takes 0.3 s, so the revocation lands while the backlog drains.
        await fixture.Simulator.Inspector.SetFaultsAsync(new FaultSettings { LatencyMs = 300 });
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator,
            new Dictionary<string, string?>
            {
                ["KeyVault:VaultUri"] = vault.VaultUri.ToString(),
                ["Libromi:ApiToken"] = null,
                // The pump holds at most 3 messages (256 by default), so most of the backlog stays visible in the queue
                // while the circuit is open and the secret scan below has messages to read; under load the default
                // once held the whole backlog and the scan peeked an empty queue.
                ["Queues:BatchSize"] = "2",
                ["Queues:NewBatchThreshold"] = "1",
                ["Queues:MaxHeldMessages"] = "3",
            },
            services => services
                .AddSingleton<TokenCredential>(new StubTokenCredential(vault.AccessToken))
                .ConfigureGatewaySecretClient(options =>
                {
                    options.Transport = vault.CreateTransport();
                    options.DisableChallengeResourceVerification = true;
                    options.Retry.MaxRetries = 0;
                }));

        for (var i = 0; i < Operations; i++)
        {
            using var response = await gateway.PostJsonAsync("/api/contacts", ReliabilityFixture.ContactJson(ReliabilityFixture.Phone(4, i), i, "rotation"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetRequestsAsync(), r => r.Count(x => x.StatusCode == 200) >= 3, "the drain to start");
        await fixture.Simulator.Inspector.RevokeTokenAsync(SimulatorFixture.AdminToken);

        var state = gateway.App.Services.GetRequiredService<SendingState>();
        await Eventually.WaitForAsync(() => Task.FromResult(state.Circuit), c => c.IsOpen, "the circuit to open");
        var deliveredBeforeRevocation = (await fixture.Simulator.Inspector.GetRequestsAsync()).Count(r => r.StatusCode == 200);
        Assert.True(deliveredBeforeRevocation < Operations, $"the revocation should land mid-drain, but all {Operations} were delivered");
        // While the circuit is open the backlog is in the queue: a good moment to look at queue messages for the token.
        var queuedWhileOpen = await Eventually.WaitForAsync(() => SecretScan.PeekQueueMessagesAsync(gateway), m => m.Count > 0, "queue messages visible while the circuit is open");
        Assert.Empty(await gateway.PeekDeadLettersAsync());

        var rotatedAt = DateTimeOffset.UtcNow;
        vault.SetSecret(TokenSecretName, rotated);
        await fixture.Simulator.Inspector.AddTokenAsync(rotated);

        var contacts = await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetContactsAsync(),
            c => c.Count(x => x.Attributes.ContainsKey("seq")) >= Operations, $"all {Operations} contacts updated after rotation", TimeSpan.FromSeconds(90));
        var requests = await fixture.Simulator.Inspector.GetRequestsAsync();
        var firstWithRotated = requests.Where(r => r.StatusCode == 200 && r.BearerToken == rotated).Min(r => r.ReceivedAt);
        var resumedAfter = firstWithRotated - rotatedAt;
        var updates = ReliabilityFixture.SuccessfulUpdatesByPhone(requests);
        var lost = Enumerable.Range(0, Operations).Count(i =>
            contacts.SingleOrDefault(c => c.PhoneNumber == ReliabilityFixture.Phone(4, i))?.Attributes.TryGetValue("seq", out var seq) != true || seq.GetInt32() != i);
        var deadLetters = await gateway.PeekDeadLettersAsync();
        var secretsFound = await SecretScan.FindAsync(gateway, [SimulatorFixture.AdminToken, rotated, vault.AccessToken], queuedWhileOpen);

        ReliabilityFigures.Report(output, "token revoked mid-drain, rotated in the vault",
        [
            ("operations sent", Operations), ("delivered before revocation", deliveredBeforeRevocation), ("delivered", updates.Count),
            ("lost", lost), ("duplicated", updates.Values.Sum(n => n - 1)), ("dead-lettered", deadLetters.Count),
            ("401 answers", requests.Count(r => r.StatusCode == 401)), ("queue messages inspected while open", queuedWhileOpen.Count),
            ("rotation to first 200 (s)", Math.Round(resumedAfter.TotalSeconds, 2)), ("vault reads", vault.ReadsOf(TokenSecretName)),
            ("secrets found", secretsFound.Count),
        ]);
        Assert.Equal(0, lost);
        Assert.Empty(deadLetters);
        Assert.Contains(requests, r => r.StatusCode == 401);
        Assert.InRange(resumedAfter, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Assert.False(state.Circuit.IsOpen);
        Assert.NotEmpty(queuedWhileOpen);
        Assert.Empty(secretsFound);
    }
}
