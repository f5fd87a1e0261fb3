namespace Libromi.Gateway.Operations;

/// <summary>
/// The clock of the gateway's own timing decisions (rate windows, pauses, backoff, probes), registered as a
/// keyed <see cref="TimeProvider"/>. It is keyed rather than the container's default TimeProvider because
/// ASP.NET Core and the Azure SDK read that one for their own timers: tests replace this clock with a
/// FakeTimeProvider and move a minute on at will while Kestrel and the storage clients keep real time.
/// </summary>
public static class GatewayClock
{
    public const string Key = "gateway-clock";
}
