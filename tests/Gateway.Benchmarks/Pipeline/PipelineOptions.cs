namespace Libromi.Gateway.Benchmarks.Pipeline;

/// <summary>Command-line settings of <c>pipeline</c>; defaults keep a run to a few minutes on two cores.</summary>
internal sealed record PipelineOptions
{
    public int Count { get; init; } = 3_000;
    public int Concurrency { get; init; } = 32;
    public int Rounds { get; init; } = 3;
    public TimeSpan LatencyDuration { get; init; } = TimeSpan.FromSeconds(20);
    public int LimitPerMinute { get; init; } = 100;
    public int Backlog { get; init; } = 300;
    /// <summary>With more than one, the drain runs once with 1 instance and once with this many, side by side.</summary>
    public int Instances { get; init; } = 1;
    public bool SkipIngest { get; init; }
    public bool SkipDrain { get; init; }
    /// <summary>Whether the gateways record the trail (<c>Trail__Enabled</c>); <c>--trail off</c> gives the figures without it.</summary>
    public bool Trail { get; init; } = true;

    public static PipelineOptions Parse(string[] args)
    {
        var options = new PipelineOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--count" => options with { Count = int.Parse(Value()) },
                "--concurrency" => options with { Concurrency = int.Parse(Value()) },
                "--rounds" => options with { Rounds = int.Parse(Value()) },
                "--latency-seconds" => options with { LatencyDuration = TimeSpan.FromSeconds(int.Parse(Value())) },
                "--limit" => options with { LimitPerMinute = int.Parse(Value()) },
                "--backlog" => options with { Backlog = int.Parse(Value()) },
                "--instances" => options with { Instances = int.Parse(Value()) },
                "--skip-ingest" => options with { SkipIngest = true },
                "--skip-drain" => options with { SkipDrain = true },
                "--trail" => options with { Trail = Value() switch { "on" => true, "off" => false, var other => throw new ArgumentException($"--trail takes on or off, not {other}.") } },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        return options;
    }
}
