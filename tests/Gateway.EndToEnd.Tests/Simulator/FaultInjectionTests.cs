using System.Text.Json;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Simulator.Faults;
using Microsoft.Extensions.Time.Testing;
using static Libromi.Gateway.EndToEnd.Simulator.ContractAssert;

namespace Libromi.Gateway.EndToEnd.Simulator;

/// <summary>Faults set at start or at run time: server errors (JSON or HTML), injected 429s, slow responses.</summary>
public sealed class FaultInjectionTests
{
    private static async Task<int> GetStatusAsync(HttpClient client)
    {
        using var response = await client.GetAsync(ContactPath("1234567890"));
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task A_server_error_rate_of_one_answers_500_with_libromis_failure_body()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        await simulator.Inspector.SetFaultsAsync(new FaultSettings { ServerErrorRate = 1 });

        using var response = await simulator.Client.PutAsync(AttributesPath("1234567890"), Json("""{"city": "Lima"}"""));

        var body = await StatusAndJsonAsync(response, 500);
        HasExactlyProperties(body, "status", "message", "error");
        Assert.Equal("failed", body.GetProperty("status").GetString());
        Assert.Null(await simulator.Inspector.GetContactAsync("1234567890"));
    }

    [Fact]
    public async Task Html_error_bodies_answer_502_with_an_html_page()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        await simulator.Inspector.SetFaultsAsync(new FaultSettings { ServerErrorRate = 1, HtmlErrorBodies = true });

        using var response = await simulator.Client.GetAsync(ContactPath("1234567890"));

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("<html>", text, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
    }

    [Fact]
    public async Task Faults_from_configuration_apply_from_the_start_and_can_be_switched_off_at_run_time()
    {
        await using var simulator = await SimulatorFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator__Faults__ServerErrorRate"] = "1.0",
        });

        Assert.Equal(500, await GetStatusAsync(simulator.Client));
        Assert.Equal(1.0, (await simulator.Inspector.GetFaultsAsync()).ServerErrorRate);

        await simulator.Inspector.SetFaultsAsync(FaultSettings.None);

        Assert.Equal(200, await GetStatusAsync(simulator.Client));
    }

    [Fact]
    public async Task Server_errors_are_injected_only_after_authentication()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        await simulator.Inspector.SetFaultsAsync(new FaultSettings { ServerErrorRate = 1 });
        using var anonymous = simulator.CreateClient(bearerToken: null);

        Assert.Equal(401, await GetStatusAsync(anonymous));
    }

    [Fact]
    public async Task Injected_rate_limits_carry_the_configured_hint_and_retry_time_and_spend_no_quota()
    {
        await using var simulator = await SimulatorFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator__RequestsPerMinute"] = "2",
        });
        await simulator.Inspector.SetFaultsAsync(new FaultSettings
        {
            RateLimitedRate = 1,
            RateLimitHint = RateLimitHint.Header,
            RateLimitRetryAfterSeconds = 7,
        });

        using (var response = await simulator.Client.GetAsync(ContactPath("1234567890")))
        {
            var body = await StatusAndJsonAsync(response, 429);
            HasExactlyProperties(body, "message");
            Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        }

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(429, await GetStatusAsync(simulator.Client));
        }

        await simulator.Inspector.SetFaultsAsync(FaultSettings.None);
        Assert.Equal(200, await GetStatusAsync(simulator.Client));
        Assert.Equal(200, await GetStatusAsync(simulator.Client));
    }

    [Fact]
    public async Task A_seed_makes_the_fault_sequence_reproducible()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        var faults = new FaultSettings { ServerErrorRate = 0.5, Seed = 1234 };

        async Task<List<int>> RunAsync()
        {
            await simulator.Inspector.SetFaultsAsync(faults);
            var statuses = new List<int>();
            for (var i = 0; i < 20; i++)
            {
                statuses.Add(await GetStatusAsync(simulator.Client));
            }

            return statuses;
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.Equal(first, second);
        Assert.Contains(200, first);
        Assert.Contains(500, first);
    }

    [Fact]
    public async Task A_slow_response_is_held_until_the_simulators_clock_has_moved_on()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var simulator = await SimulatorFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator__Faults__SlowResponseRate"] = "1",
            ["Simulator__Faults__SlowResponseMs"] = "5000",
        }, clock);

        var pending = simulator.Client.GetAsync(ContactPath("1234567890"));
        var finishedEarly = await Task.WhenAny(pending, Task.Delay(TimeSpan.FromMilliseconds(300))) == pending;
        Assert.False(finishedEarly, "The response came back before the simulated delay elapsed.");

        // The request may reach its delay after an Advance, so keep moving the clock until it answers.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!pending.IsCompleted && DateTime.UtcNow < deadline)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            await Task.WhenAny(pending, Task.Delay(TimeSpan.FromMilliseconds(50)));
        }

        using var response = await pending;
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Invalid_fault_settings_are_refused()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        var error = await Assert.ThrowsAsync<HttpRequestException>(
            () => simulator.Inspector.SetFaultsAsync(new FaultSettings { ServerErrorRate = 1.5 }));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(0, (await simulator.Inspector.GetFaultsAsync()).ServerErrorRate);
    }

    [Fact]
    public async Task Invalid_fault_configuration_stops_the_simulator_from_starting()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SimulatorFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator__Faults__ServerErrorRate"] = "2",
        }));

        Assert.Contains("ServerErrorRate", error.Message, StringComparison.Ordinal);
    }
}
