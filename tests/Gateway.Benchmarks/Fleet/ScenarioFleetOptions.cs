namespace Libromi.Gateway.Benchmarks.Fleet;

/// <summary>
/// Command-line settings of <c>fleet-scenarios</c>. Small limits keep the run to about three minutes: three windows of
/// each lane (a multiple of the limit, so the last window is full and the sustained rate reads true).
/// </summary>
internal sealed record ScenarioFleetOptions
{
    public int ContactLimit { get; init; } = 60;
    public int ScenarioLimit { get; init; } = 20;
    public int Contacts { get; init; } = 180;
    public int Triggers { get; init; } = 60;
    public int Instances { get; init; } = 3;

    public static ScenarioFleetOptions Parse(string[] args)
    {
        var options = new ScenarioFleetOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--contact-limit" => options with { ContactLimit = int.Parse(Value()) },
                "--scenario-limit" => options with { ScenarioLimit = int.Parse(Value()) },
                "--contacts" => options with { Contacts = int.Parse(Value()) },
                "--triggers" => options with { Triggers = int.Parse(Value()) },
                "--instances" => options with { Instances = int.Parse(Value()) },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        return options;
    }
}
