using Libromi.Gateway.EndToEnd.Fixtures;
using Microsoft.Extensions.Time.Testing;
using static Libromi.Gateway.EndToEnd.Simulator.ContractAssert;

namespace Libromi.Gateway.EndToEnd.Simulator;

/// <summary>Per-token sliding windows on a fake clock: 429 with Retry-After and retry_after_seconds, reopening as time passes.</summary>
public sealed class RateLimitContractTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static Task<SimulatorFixture> StartAsync(FakeTimeProvider clock, int perMinute = 3, int perHour = 1000, params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Simulator__RequestsPerMinute"] = perMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Simulator__RequestsPerHour"] = perHour.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return SimulatorFixture.StartAsync(settings, clock);
    }

    private static async Task<int> GetStatusAsync(HttpClient client)
    {
        using var response = await client.GetAsync(ContactPath("1234567890"));
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task A_request_over_the_per_minute_limit_is_429_with_both_retry_hints()
    {
        var clock = new FakeTimeProvider(Start);
        await using var simulator = await StartAsync(clock, perMinute: 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, await GetStatusAsync(simulator.Client));
        }

        using var response = await simulator.Client.GetAsync(ContactPath("1234567890"));

        var body = await StatusAndJsonAsync(response, 429);
        HasExactlyProperties(body, "message", "retry_after_seconds");
        Assert.Equal("Too Many Attempts.", body.GetProperty("message").GetString());
        Assert.Equal(60, body.GetProperty("retry_after_seconds").GetInt32());
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Rate_limited_requests_are_recorded_in_the_request_log_as_429()
    {
        var clock = new FakeTimeProvider(Start);
        await using var simulator = await StartAsync(clock, perMinute: 3);

        var statuses = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add(await GetStatusAsync(simulator.Client));
        }

        Assert.Equal([200, 200, 200, 429, 429], statuses);
        Assert.Equal(statuses, (await simulator.Inspector.GetRequestsAsync()).Select(request => request.StatusCode));
    }

    [Fact]
    public async Task The_window_reopens_once_the_announced_retry_time_has_passed()
    {
        var clock = new FakeTimeProvider(Start);
        await using var simulator = await StartAsync(clock, perMinute: 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, await GetStatusAsync(simulator.Client));
        }

        clock.Advance(TimeSpan.FromSeconds(59));
        using (var stillLimited = await simulator.Client.GetAsync(ContactPath("1234567890")))
        {
            Assert.Equal(1, (await StatusAndJsonAsync(stillLimited, 429)).GetProperty("retry_after_seconds").GetInt32());
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(200, await GetStatusAsync(simulator.Client));
    }

    [Fact]
    public async Task The_minute_window_slides_rather_than_resetting_on_the_minute()
    {
        var clock = new FakeTimeProvider(Start);
        await using var simulator = await StartAsync(clock, perMinute: 3);
        Assert.Equal(200, await GetStatusAsync(simulator.Client)); // t = 0
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(200, await GetStatusAsync(simulator.Client)); // t = 30
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(200, await GetStatusAsync(simulator.Client)); // t = 40

        // At t = 61 only the request of t = 0 has left the window: one place, then a wait until t = 90.
        clock.Advance(TimeSpan.FromSeconds(21));
        Assert.Equal(200, await GetStatusAsync(simulator.Client));
        using var limited = await simulator.Client.GetAsync(ContactPath("1234567890"));

        Assert.Equal(29, (await StatusAndJsonAsync(limited, 429)).GetProperty("retry_after_seconds").GetInt32());
        Assert.Equal(TimeSpan.FromSeconds(29), limited.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task The_hourly_limit_holds_across_minutes_and_reopens_after_an_hour()
    {
        var clock = new FakeTimeProvider(Start);
        await using var simulator = await StartAsync(clock, perMinute: 100, perHour: 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, await GetStatusAsync(simulator.Client));
            clock.Advance(TimeSpan.FromMinutes(2));
        }

        using (var limited = await simulator.Client.GetAsync(ContactPath("1234567890")))
        {
            // The first request (t = 0) leaves the hour at t = 60 min; it is now t = 6 min.
            Assert.Equal(54 * 60, (await StatusAndJsonAsync(limited, 429)).GetProperty("retry_after_seconds").GetInt32());
        }

        clock.Advance(TimeSpan.FromMinutes(54));
        Assert.Equal(200, await GetStatusAsync(simulator.Client));
    }

    [Fact]
    public async Task Limits_are_counted_per_token()
    {
        var clock = new FakeTimeProvider(Start);
        await using var simulator = await StartAsync(clock, perMinute: 2);
        using var reader = simulator.CreateClient(SimulatorFixture.ReadOnlyToken);
        Assert.Equal(200, await GetStatusAsync(simulator.Client));
        Assert.Equal(200, await GetStatusAsync(simulator.Client));
        Assert.Equal(429, await GetStatusAsync(simulator.Client));

        Assert.Equal(200, await GetStatusAsync(reader));
    }

    [Fact]
    public async Task Refused_attempts_do_not_spend_the_quota()
    {
        var clock = new FakeTimeProvider(Start);
        await using var simulator = await StartAsync(clock, perMinute: 2);
        using var anonymous = simulator.CreateClient(bearerToken: null);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(401, await GetStatusAsync(anonymous));
        }

        Assert.Equal(200, await GetStatusAsync(simulator.Client)); // t = 0
        Assert.Equal(200, await GetStatusAsync(simulator.Client)); // t = 0
        clock.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(429, await GetStatusAsync(simulator.Client)); // t = 30
        }

        // Had the 429s of t = 30 been counted, the window would stay full until t = 90.
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(200, await GetStatusAsync(simulator.Client));
    }

    [Theory]
    [InlineData("header", true, false)]
    [InlineData("body", false, true)]
    [InlineData("none", false, false)]
    public async Task The_rate_limit_hint_setting_controls_which_hints_a_429_carries(string hint, bool header, bool body)
    {
        var clock = new FakeTimeProvider(Start);
        await using var simulator = await StartAsync(clock, perMinute: 1, extra: ("Simulator__Faults__RateLimitHint", hint));
        Assert.Equal(200, await GetStatusAsync(simulator.Client));

        using var response = await simulator.Client.GetAsync(ContactPath("1234567890"));

        var json = await StatusAndJsonAsync(response, 429);
        Assert.Equal("Too Many Attempts.", json.GetProperty("message").GetString());
        Assert.Equal(header, response.Headers.RetryAfter is not null);
        Assert.Equal(body, json.TryGetProperty("retry_after_seconds", out _));
    }
}
