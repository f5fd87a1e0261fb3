namespace Libromi.Simulator.Faults;

/// <summary>Which retry hints a 429 carries; Libromi's documentation does not say, so the gateway must cope with all four.</summary>
public enum RateLimitHint
{
    /// <summary><c>Retry-After</c> header and <c>retry_after_seconds</c> in the body.</summary>
    Both,

    /// <summary>Only the <c>Retry-After</c> header.</summary>
    Header,

    /// <summary>Only <c>retry_after_seconds</c> in the body.</summary>
    Body,

    /// <summary>Neither; the client has to back off on its own.</summary>
    None,
}

/// <summary>
/// Faults injected into <c>/api/v1</c> requests. Configuration <c>Simulator__Faults__Name</c> at start,
/// <c>PUT /_simulator/faults</c> (snake_case JSON) at run time; a PUT replaces every field, so omitted
/// fields fall back to the defaults below.
/// </summary>
public sealed record FaultSettings
{
    /// <summary>No faults; what <c>POST /_simulator/reset</c> restores.</summary>
    public static FaultSettings None { get; } = new();

    /// <summary>Probability (0..1) that an authenticated, admitted request fails with a server error.</summary>
    public double ServerErrorRate { get; init; }

    /// <summary>Server errors answer 502 with an nginx-style HTML page instead of 500 with Libromi's JSON.</summary>
    public bool HtmlErrorBodies { get; init; }

    /// <summary>Delay added before every request is handled.</summary>
    public int LatencyMs { get; init; }

    /// <summary>Probability (0..1) that a request is delayed by a further <see cref="SlowResponseMs"/>.</summary>
    public double SlowResponseRate { get; init; }

    /// <summary>Extra delay of a slow response.</summary>
    public int SlowResponseMs { get; init; }

    /// <summary>
    /// Probability (0..1) of a 429 although the token is within its windows: another client sharing the
    /// quota. Such a 429 is not counted in the token's windows.
    /// </summary>
    public double RateLimitedRate { get; init; }

    /// <summary>Hints carried by every 429, the injected ones and those of the real windows.</summary>
    public RateLimitHint RateLimitHint { get; init; } = RateLimitHint.Both;

    /// <summary>Retry time announced by an injected 429.</summary>
    public int RateLimitRetryAfterSeconds { get; init; } = 1;

    /// <summary>Seed of the dice, for reproducible fault sequences; random when absent.</summary>
    public int? Seed { get; init; }

    /// <summary>Reasons the settings are unusable; empty when they are fine.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        AddIfOutside(problems, nameof(ServerErrorRate), ServerErrorRate);
        AddIfOutside(problems, nameof(SlowResponseRate), SlowResponseRate);
        AddIfOutside(problems, nameof(RateLimitedRate), RateLimitedRate);
        if (LatencyMs < 0 || SlowResponseMs < 0)
        {
            problems.Add("Delays must not be negative.");
        }

        if (RateLimitRetryAfterSeconds < 1)
        {
            problems.Add("RateLimitRetryAfterSeconds must be at least 1.");
        }

        if (!Enum.IsDefined(RateLimitHint))
        {
            problems.Add("RateLimitHint must be both, header, body or none.");
        }

        return problems;
    }

    private static void AddIfOutside(List<string> problems, string name, double rate)
    {
        if (double.IsNaN(rate) || rate < 0 || rate > 1)
        {
            problems.Add($"{name} must be between 0 and 1.");
        }
    }
}
