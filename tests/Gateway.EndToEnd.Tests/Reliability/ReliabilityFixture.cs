using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Simulator.Inspection;

namespace Libromi.Gateway.EndToEnd.Reliability;

/// <summary>
/// One Azurite and one simulator whose own rate windows are off, so every 429 the gateway sees is one a test
/// injected and the only limit in force is the gateway's (<c>Libromi:RequestsPerMinute</c> 100, the validated maximum).
/// </summary>
public sealed class ReliabilityFixture : IAsyncLifetime
{
    public AzuriteFixture Azurite { get; } = new();
    public SimulatorFixture Simulator { get; private set; } = null!;

    public static IReadOnlyDictionary<string, string?> SimulatorSettings { get; } = new Dictionary<string, string?>
    {
        ["Simulator:RequestsPerMinute"] = "0",
        ["Simulator:RequestsPerHour"] = "0",
    };

    public async Task InitializeAsync()
    {
        await Azurite.InitializeAsync();
        Simulator = await SimulatorFixture.StartAsync(SimulatorSettings);
    }

    public async Task ResetAsync()
    {
        await Azurite.ClearQueuesAsync();
        await Simulator.Inspector.ResetAsync();
    }

    public async Task DisposeAsync()
    {
        await Simulator.DisposeAsync();
        await Azurite.DisposeAsync();
    }

    /// <summary>A distinct contact per operation (the coalescer merges same-contact messages, which would hide duplicates).</summary>
    public static string Phone(int run, int index) => $"44770{run:D2}{index:D5}";

    /// <summary>A canonical contact upsert whose <c>seq</c> attribute proves which operation reached the contact.</summary>
    public static string ContactJson(string phone, int seq, string run) =>
        "{\"phone_number\": \"+" + phone + "\", \"attributes\": {\"seq\": " + seq + ", \"run\": \"" + run + "\"}}";

    /// <summary>Successful attribute updates per phone number (a duplicate is a second 200 for the same contact).</summary>
    public static Dictionary<string, int> SuccessfulUpdatesByPhone(IEnumerable<RecordedRequest> requests) =>
        requests
            .Where(r => r.StatusCode == 200 && r.Method == "PUT" && r.Path.EndsWith("/attributes", StringComparison.Ordinal))
            .GroupBy(r => r.Path.Split('/')[^2])
            .ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The most requests Libromi admitted in any sliding 60 s window (injected 429s use no quota at the simulator).</summary>
    public static int MaxInAnyMinute(IEnumerable<RecordedRequest> requests)
    {
        var times = requests.Where(r => r.StatusCode != 429).Select(r => r.ReceivedAt).Order().ToList();
        var max = 0;
        var start = 0;
        for (var end = 0; end < times.Count; end++)
        {
            while (times[end] - times[start] >= TimeSpan.FromSeconds(60))
            {
                start++;
            }
            max = Math.Max(max, end - start + 1);
        }
        return max;
    }
}
