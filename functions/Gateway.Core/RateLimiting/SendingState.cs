using Microsoft.Extensions.DependencyInjection;
using Libromi.Gateway.Operations;
namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// Whether the gateway may send to Libromi right now: a pause after a 429, and a circuit that opens when the
/// token is rejected. In-process; the pause is shared with other instances through the rate-limit ledger
/// (<see cref="RateLimiting.ISharedPause"/>, and <see cref="ObservePause"/> when a lease is refused), the circuit is not:
/// every instance learns of a rejected token from its own probe.
/// </summary>
public sealed class SendingState([FromKeyedServices(GatewayClock.Key)] TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;
    private int _consecutiveRateLimits;
    private CircuitSnapshot _circuit = CircuitSnapshot.Closed;

    public DateTimeOffset PausedUntil { get { lock (_gate) { return _pausedUntil; } } }

    public CircuitSnapshot Circuit { get { lock (_gate) { return _circuit; } } }

    /// <summary>Consecutive 429s without a success in between, for the no-hint backoff.</summary>
    public int ConsecutiveRateLimits { get { lock (_gate) { return _consecutiveRateLimits; } } }

    public void PauseUntil(DateTimeOffset until)
    {
        lock (_gate)
        {
            _consecutiveRateLimits++;
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }
        }
    }

    /// <summary>
    /// Adopts a pause another instance published (a 429 it received). Unlike <see cref="PauseUntil"/> it does not
    /// count as a rate limit of this instance's own, so the no-hint backoff does not grow.
    /// </summary>
    public void ObservePause(DateTimeOffset until)
    {
        lock (_gate)
        {
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }
        }
    }

    public void OpenCircuit(string reason, TimeSpan probeInterval)
    {
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            var openedAt = _circuit.IsOpen ? _circuit.OpenedAt : now;
            _circuit = new CircuitSnapshot(true, reason, openedAt, now + probeInterval, ProbeInFlight: false);
        }
    }

    /// <summary>How long to wait while another caller's probe is running: its answer decides for everyone.</summary>
    public static readonly TimeSpan ProbeInFlightWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long nobody may send: the rest of a pause, or the circuit's wait for its probe (due later, or running).
    /// Null when a call may go ahead, or when the probe is due and <see cref="TryClaimProbe"/> would let it through.
    /// A question only: it claims nothing, so the consumer can ask it before receiving and the gate before sending.
    /// </summary>
    public TimeSpan? WaitBeforeSending()
    {
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            return _pausedUntil > now ? _pausedUntil - now : CircuitWait(now);
        }
    }

    /// <summary>
    /// While the circuit is open, lets exactly one caller through once the probe is due. Returns false and the
    /// time to wait otherwise.
    /// </summary>
    public bool TryClaimProbe(out TimeSpan wait)
    {
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (CircuitWait(now) is { } circuitWait)
            {
                wait = circuitWait;
                return false;
            }
            if (_circuit.IsOpen)
            {
                _circuit = _circuit with { ProbeInFlight = true };
            }
            wait = TimeSpan.Zero;
            return true;
        }
    }

    /// <summary>Called under the lock.</summary>
    private TimeSpan? CircuitWait(DateTimeOffset now) =>
        !_circuit.IsOpen ? null
        : _circuit.ProbeInFlight ? ProbeInFlightWait
        : now < _circuit.NextProbeAt ? _circuit.NextProbeAt - now
        : null;

    /// <summary>Any success closes the circuit and resets the rate-limit backoff.</summary>
    public void ReportDelivered()
    {
        lock (_gate)
        {
            _consecutiveRateLimits = 0;
            _circuit = CircuitSnapshot.Closed;
        }
    }

    /// <summary>A probe that ended without an auth verdict (a 5xx, say) frees the probe slot.</summary>
    public void ReleaseProbe()
    {
        lock (_gate)
        {
            if (_circuit.IsOpen)
            {
                _circuit = _circuit with { ProbeInFlight = false };
            }
        }
    }
}

public sealed record CircuitSnapshot(bool IsOpen, string? Reason, DateTimeOffset? OpenedAt, DateTimeOffset NextProbeAt, bool ProbeInFlight)
{
    public static CircuitSnapshot Closed { get; } = new(false, null, null, DateTimeOffset.MinValue, false);
}
