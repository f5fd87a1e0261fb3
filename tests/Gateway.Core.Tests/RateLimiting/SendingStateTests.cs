using Libromi.Gateway.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.RateLimiting;

/// <summary>The one answer the consumer and the gate both ask: may anyone send now, and if not, for how long not.</summary>
public sealed class SendingStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Nothing_blocks_sending_until_a_pause_or_an_open_circuit()
    {
        var state = new SendingState(new FakeTimeProvider(T0));

        Assert.Null(state.WaitBeforeSending());
    }

    [Fact]
    public void A_pause_blocks_sending_for_the_rest_of_the_pause()
    {
        var clock = new FakeTimeProvider(T0);
        var state = new SendingState(clock);
        state.PauseUntil(T0.AddSeconds(30));
        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromSeconds(20), state.WaitBeforeSending());
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Null(state.WaitBeforeSending());
    }

    [Fact]
    public void An_open_circuit_waits_for_its_probe_with_the_same_answer_the_probe_claim_gives()
    {
        var clock = new FakeTimeProvider(T0);
        var state = new SendingState(clock);
        state.OpenCircuit("token rejected", TimeSpan.FromMinutes(1));

        Assert.Equal(TimeSpan.FromMinutes(1), state.WaitBeforeSending());
        Assert.False(state.TryClaimProbe(out var wait));
        Assert.Equal(TimeSpan.FromMinutes(1), wait);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(state.WaitBeforeSending());
        Assert.True(state.TryClaimProbe(out _));

        // The probe is running: everyone else waits the same short while, whichever of the two they ask.
        Assert.Equal(SendingState.ProbeInFlightWait, state.WaitBeforeSending());
        Assert.False(state.TryClaimProbe(out wait));
        Assert.Equal(SendingState.ProbeInFlightWait, wait);

        state.ReportDelivered();
        Assert.Null(state.WaitBeforeSending());
    }
}
