using System.Text.RegularExpressions;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.Queueing;

namespace Libromi.Gateway.EndToEnd.Worker;

/// <summary>
/// The contract as the Functions host sees it: the metadata the running worker reports (names, triggers, methods,
/// routes, key levels, queues, connections) is what the README's route table and the Bicep template promise.
/// </summary>
public sealed partial class WorkerIndexingTests(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    private sealed record Expected(string Function, string Trigger, string? Method, string? RouteOrQueue, string? KeyLevelOrConnection);

    // Key levels: API routes take a function key, operator routes the admin (master) key, webhooks (their own
    // signature) and health probes none. Queue triggers name the storage connection the Bicep template configures.
    private static readonly Expected[] Contract =
    [
        new("Contacts", "httpTrigger", "POST", "contacts", "Function"),
        new("StaffAssignments", "httpTrigger", "POST", "staff-assignments", "Function"),
        new("ScenarioTriggers", "httpTrigger", "POST", "scenario-triggers", "Function"),
        new("Hooks", "httpTrigger", "POST", "hooks/{integration}", "Anonymous"),
        new("Imports", "httpTrigger", "POST", "imports", "Function"),
        new("ImportProgress", "httpTrigger", "GET", "imports/{id}", "Function"),
        new("Operation", "httpTrigger", "GET", "operations/{id}", "Function"),
        new("OperationsSearch", "httpTrigger", "GET", "operations", "Function"),
        new("DeliveriesSearch", "httpTrigger", "GET", "deliveries", "Function"),
        new("Delivery", "httpTrigger", "GET", "deliveries/{id}", "Function"),
        new("DeliveryBody", "httpTrigger", "GET", "deliveries/{id}/body", "Admin"),
        new("DeadLettersList", "httpTrigger", "GET", "dead-letters", "Admin"),
        new("DeadLetterReplay", "httpTrigger", "POST", "dead-letters/{id}/replay", "Admin"),
        new("DeadLettersReplayMany", "httpTrigger", "POST", "dead-letters/replay", "Admin"),
        new("DeadLetterDelete", "httpTrigger", "DELETE", "dead-letters/{id}", "Admin"),
        new("IntegrationTest", "httpTrigger", "POST", "integrations/{name}/test", "Admin"),
        new("ReplaysStart", "httpTrigger", "POST", "replays", "Admin"),
        new("Replay", "httpTrigger", "GET", "replays/{id}", "Admin"),
        new("IntegrationFigures", "httpTrigger", "GET", "integrations/figures", "Function"),
        new("Health", "httpTrigger", "GET", "health", "Anonymous"),
        new("HealthLive", "httpTrigger", "GET", "health/live", "Anonymous"),
        new("HealthReady", "httpTrigger", "GET", "health/ready", "Anonymous"),
        new("Status", "httpTrigger", "GET", "status", "Anonymous"),
        new("StatusPage", "httpTrigger", "GET", "status/page", "Anonymous"),
        // The drain: woken by wake messages and every 30 s; the operation queues themselves have no trigger.
        new("DrainOnWake", "queueTrigger", null, QueueNames.Wake, BicepStorageConnection()),
        new("DrainOnSchedule", "timerTrigger", null, DrainSchedule.Cron, null),
        // Replay jobs: one page per replay-jobs message.
        new("ReplayJobPage", "queueTrigger", null, QueueNames.ReplayJobs, BicepStorageConnection()),
        new("RetentionSweep", "timerTrigger", null, "%RetentionSchedule%", null),
    ];

    [Fact]
    public async Task Worker_indexes_every_route_queue_and_timer_of_the_contract_with_its_method_and_key_level()
    {
        var worker = fixture.Worker;

        // The ASP.NET Core integration announces where the host forwards HTTP requests, and the worker answers the host's health probe.
        Assert.True(worker.Capabilities.ContainsKey("HttpUri"), "the worker announced no HttpUri: " + string.Join(", ", worker.Capabilities.Keys));
        Assert.True(await worker.IsWorkerHealthyAsync());
        Assert.Equal("api", worker.RoutePrefix);

        var mismatches = new List<string>();
        foreach (var expected in Contract)
        {
            var function = worker.Functions.SingleOrDefault(f => f.Name == expected.Function);
            var actual = function switch
            {
                null => null,
                { IsHttp: true } => new Expected(function.Name, function.TriggerType, string.Join(",", function.Methods), function.Route, function.AuthLevel),
                { TriggerType: "timerTrigger" } => new Expected(function.Name, function.TriggerType, null, function.Schedule, null),
                _ => new Expected(function.Name, function.TriggerType, null, function.QueueName, function.Connection),
            };
            if (actual != expected)
            {
                mismatches.Add($"expected {expected}\n   found {actual?.ToString() ?? "no such function"}");
            }
        }
        var unexpected = worker.Functions.Select(f => f.Name).Except(Contract.Select(c => c.Function)).ToList();
        Assert.True(mismatches.Count == 0, "the worker's metadata differs from the contract:\n" + string.Join("\n", mismatches));
        Assert.True(unexpected.Count == 0, "functions outside the contract: " + string.Join(", ", unexpected));

        // Every route of the README's table is in the contract, under /api, with the README's key.
        var readmeRoutes = ReadmeRoutes();
        Assert.NotEmpty(readmeRoutes);
        foreach (var (method, route, key) in readmeRoutes)
        {
            var row = Contract.SingleOrDefault(c => c.Method == method && c.RouteOrQueue == route);
            Assert.True(row is not null, $"README route {method} /api/{route} is not in the worker's contract");
            Assert.Equal(key, row.KeyLevelOrConnection);
        }
    }

    /// <summary>The connection name of the identity-based storage settings in infra/app/gateway.bicep (AzureWebJobsStorage__queueServiceUri).</summary>
    private static string BicepStorageConnection()
    {
        var bicep = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "app", "gateway.bicep"));
        var match = QueueServiceUriSetting().Match(bicep);
        return match.Success ? match.Groups[1].Value : throw new InvalidOperationException("gateway.bicep sets no <connection>__queueServiceUri app setting.");
    }

    /// <summary>(method, route without /api/, key level) of each <c>`METHOD /api/...`</c> in the README's route table, its key column read as a Functions key level.</summary>
    private static List<(string Method, string Route, string Key)> ReadmeRoutes()
    {
        var routes = new List<(string, string, string)>();
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRoot.Path, "README.md")).Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var columns = line.Split('|', StringSplitOptions.TrimEntries);
            var key = columns[2] switch
            {
                "API" => "Function",
                "admin" => "Admin",
                var other when other.StartsWith("none", StringComparison.Ordinal) => "Anonymous",
                _ => null,
            };
            if (key is null)
            {
                continue;
            }
            foreach (Match route in ReadmeRoute().Matches(columns[1]))
            {
                var method = route.Groups[1].Success ? route.Groups[1].Value : routes.Count > 0 ? routes[^1].Item1 : "GET";
                routes.Add((method, route.Groups[2].Value, key));
            }
        }
        return routes;
    }

    [GeneratedRegex(@"name:\s*'([A-Za-z0-9_]+)__queueServiceUri'")]
    private static partial Regex QueueServiceUriSetting();

    // `POST /api/contacts`, and in the health row `/api/health/live` (the method of the route before it).
    [GeneratedRegex(@"`(?:(GET|POST|DELETE|PUT) )?/api/([^`]+)`")]
    private static partial Regex ReadmeRoute();
}
