using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Libromi.Gateway.Benchmarks.Fleet;
using Libromi.Gateway.Benchmarks.Hooks;
using Libromi.Gateway.Benchmarks.Pipeline;

// dotnet run -c Release --project tests/Gateway.Benchmarks -- pipeline [--instances 3] | fleet | fleet-scenarios | coalescing | flex | hooks
switch (args.FirstOrDefault())
{
    case "pipeline":
        await PipelineBenchmark.RunAsync(PipelineOptions.Parse(args[1..]));
        return 0;
    case "fleet":
        var fleet = PipelineOptions.Parse(args[1..]);
        await FleetBenchmark.RunAsync(fleet.LimitPerMinute, fleet.Backlog, Math.Max(fleet.Instances, 3));
        return 0;
    case "fleet-scenarios":
        var shared = ScenarioFleetOptions.Parse(args[1..]);
        await ScenarioFleetBenchmark.RunAsync(shared.ContactLimit, shared.ScenarioLimit, shared.Contacts, shared.Triggers, shared.Instances);
        return 0;
    case "flex":
        var flex = PipelineOptions.Parse(args[1..]);
        await Libromi.Gateway.Benchmarks.Flex.FlexBenchmark.RunAsync(flex.LimitPerMinute, flex.Backlog, flex.Count, flex.Rounds);
        return 0;
    case "coalescing":
        await Libromi.Gateway.Benchmarks.Coalescing.CoalescingBenchmark.RunAsync();
        return 0;
    case "hooks":
        // In-process and ShortRun: a couple of minutes, and no second build of this project and its web hosts.
        var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
        BenchmarkRunner.Run<HookBenchmarks>(config, args[1..]);
        return 0;
    default:
        Console.Error.WriteLine("usage: dotnet run -c Release --project tests/Gateway.Benchmarks -- pipeline [--instances 3] [--count 3000] [--concurrency 32] [--rounds 3] [--limit 100] [--backlog 300] [--skip-ingest] [--skip-drain] [--trail on|off]");
        Console.Error.WriteLine("       dotnet run -c Release --project tests/Gateway.Benchmarks -- fleet [--limit 100] [--backlog 300] [--instances 3]");
        Console.Error.WriteLine("       dotnet run -c Release --project tests/Gateway.Benchmarks -- fleet-scenarios [--contact-limit 60] [--scenario-limit 20] [--contacts 180] [--triggers 60] [--instances 3]");
        Console.Error.WriteLine("       dotnet run -c Release --project tests/Gateway.Benchmarks -- coalescing");
        Console.Error.WriteLine("       dotnet run -c Release --project tests/Gateway.Benchmarks -- flex [--limit 600] [--backlog 1500] [--count 1000 (import rows)] [--rounds 20 (latency samples)]");
        Console.Error.WriteLine("       dotnet run -c Release --project tests/Gateway.Benchmarks -- hooks [BenchmarkDotNet options]");
        return 2;
}
