namespace Libromi.Simulator.Faults;

/// <summary>What the dice decided for one request.</summary>
public readonly record struct FaultPlan(FaultSettings Settings, TimeSpan Delay, bool RateLimited, bool ServerError);

/// <summary>Holds the current fault settings and rolls the dice for each request.</summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private FaultSettings _settings;
    private Random _random;

    public FaultInjector(FaultSettings initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _settings = initial;
        _random = CreateRandom(initial);
    }

    public FaultSettings Current
    {
        get
        {
            lock (_gate)
            {
                return _settings;
            }
        }
    }

    /// <summary>Replaces every setting; a seed restarts the sequence so a test sees the same faults each run.</summary>
    public void Replace(FaultSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        lock (_gate)
        {
            _settings = settings;
            _random = CreateRandom(settings);
        }
    }

    public FaultPlan Draw()
    {
        lock (_gate)
        {
            // All three dice are rolled every time, in a fixed order, so a seeded sequence does not
            // depend on which faults happened to fire earlier.
            var slow = Roll(_settings.SlowResponseRate);
            var rateLimited = Roll(_settings.RateLimitedRate);
            var serverError = Roll(_settings.ServerErrorRate);
            var delay = TimeSpan.FromMilliseconds(_settings.LatencyMs + (slow ? _settings.SlowResponseMs : 0));
            return new FaultPlan(_settings, delay, rateLimited, serverError);
        }
    }

    // NextDouble is in [0, 1): a rate of 1 always fires and a rate of 0 never does.
    private bool Roll(double rate) => _random.NextDouble() < rate;

    private static Random CreateRandom(FaultSettings settings) =>
        settings.Seed is { } seed ? new Random(seed) : new Random();
}
