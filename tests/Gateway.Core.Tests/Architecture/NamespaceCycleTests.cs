using Libromi.Gateway.Hosting;

namespace Libromi.Gateway.Tests.Architecture;

/// <summary>
/// The core's folders follow the flow (request, queue, processor, Libromi call) and never depend on each other in
/// a circle: two folders that need each other are one folder, or share a missing kernel.
/// </summary>
public sealed class NamespaceCycleTests
{
    private static readonly Lazy<FolderGraph> Core = new(() =>
        FolderGraph.Of(typeof(GatewayServiceCollectionExtensions).Assembly.Location, "Libromi.Gateway"));

    [Fact]
    public void Core_folders_depend_on_each_other_without_cycles()
    {
        var cycles = Core.Value.Cycles();

        Assert.True(cycles.Count == 0, $"Namespace cycles in Libromi.Gateway.Core:\n{string.Join("\n\n", cycles)}");
    }

    [Fact]
    public void The_graph_sees_the_dependencies_the_flow_has()
    {
        // Guards the test above against passing on an empty or half-read graph.
        var graph = Core.Value;

        Assert.True(graph.Folders.Count >= 15, $"only {graph.Folders.Count} folders read: {string.Join(", ", graph.Folders)}");
        Assert.True(graph.DependsOn("Processing", "Libromi"), "the processor calls the Libromi client");
        Assert.True(graph.DependsOn("Ingest", "Queueing"), "ingest enqueues operations");
        Assert.True(graph.DependsOn("Hosting", "Ingest"), "the composition registers ingest");
    }

    [Fact]
    public void A_cycle_is_named_by_its_shortest_path_and_its_edges()
    {
        var graph = new FolderGraph();
        graph.Add("A", "B", "A.X → B.Y");
        graph.Add("B", "C", "B.Y → C.Z");
        graph.Add("C", "A", "C.Z → A.X");
        graph.Add("C", "D", "C.Z → D.W");

        var cycle = Assert.Single(graph.Cycles());

        Assert.StartsWith("A → B → C → A\n", cycle, StringComparison.Ordinal);
        Assert.Contains("C → A (C.Z → A.X)", cycle, StringComparison.Ordinal);
        Assert.DoesNotContain("D", cycle, StringComparison.Ordinal);
    }

    [Fact]
    public void Folders_that_only_depend_forward_have_no_cycle()
    {
        var graph = new FolderGraph();
        graph.Add("Ingest", "Queueing", "x");
        graph.Add("Queueing", "Operations", "y");
        graph.Add("Ingest", "Operations", "z");

        Assert.Empty(graph.Cycles());
    }
}
