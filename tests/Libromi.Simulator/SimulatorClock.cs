namespace Libromi.Simulator;

/// <summary>
/// The simulator's own clock (rate windows, injected delays, timestamps). It is wrapped rather than
/// registered as <see cref="TimeProvider"/> because Kestrel resolves <see cref="TimeProvider"/> from
/// the container for its heartbeat and timeouts; a test's fake clock there would stall the server.
/// </summary>
public sealed class SimulatorClock(TimeProvider timeProvider)
{
    public TimeProvider TimeProvider { get; } = timeProvider;

    public DateTimeOffset UtcNow => TimeProvider.GetUtcNow();
}
