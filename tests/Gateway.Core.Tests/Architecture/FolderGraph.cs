namespace Libromi.Gateway.Tests.Architecture;

/// <summary>
/// Which folder of the core depends on which, each dependency with its examples (each a referring type and the type
/// it refers to) so that a failure says where to look. A folder is the first namespace segment below
/// <c>Libromi.Gateway</c>: <c>Webhooks.DryRun</c> belongs to <c>Webhooks</c>.
/// </summary>
internal sealed class FolderGraph
{
    private readonly SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> _edges = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Folders => _edges.Keys;

    public bool DependsOn(string from, string to) => _edges.TryGetValue(from, out var targets) && targets.ContainsKey(to);

    public void Add(string from, string to, string example)
    {
        var targets = Targets(from);
        if (!targets.TryGetValue(to, out var examples))
        {
            examples = new SortedSet<string>(StringComparer.Ordinal);
            targets[to] = examples;
        }

        examples.Add(example);
        Targets(to);
    }

    public static FolderGraph Of(string assemblyPath, string rootNamespace)
    {
        using var module = TypeReferences.ReadModule(assemblyPath);
        var graph = new FolderGraph();
        foreach (var type in TypeReferences.AllTypes(module))
        {
            var from = FolderOf(TypeReferences.NamespaceOf(type), rootNamespace);
            if (from is null)
            {
                continue;
            }

            graph.Targets(from);
            foreach (var referenced in TypeReferences.Of(type))
            {
                var to = FolderOf(TypeReferences.NamespaceOf(referenced), rootNamespace);
                if (to is not null && to != from)
                {
                    graph.Add(from, to, $"{ShortName(type.FullName, rootNamespace)} → {ShortName(referenced.FullName, rootNamespace)}");
                }
            }
        }

        return graph;
    }

    /// <summary>
    /// The groups of folders that reach each other (Tarjan's strongly connected components), each as its
    /// shortest cycle through its first folder followed by every edge inside the group with its example.
    /// </summary>
    public IReadOnlyList<string> Cycles()
    {
        return StronglyConnectedGroups()
            .Where(group => group.Count > 1)
            .Select(Describe)
            .ToList();
    }

    private string Describe(SortedSet<string> group)
    {
        var start = group.Min!;
        var path = ShortestCycle(start, group);
        var edges = group
            .SelectMany(from => _edges[from].Where(edge => group.Contains(edge.Key)).Select(edge => $"  {from} → {edge.Key} ({string.Join("; ", edge.Value)})"));
        return $"{string.Join(" → ", path)}\n{string.Join('\n', edges)}";
    }

    private List<string> ShortestCycle(string start, SortedSet<string> group)
    {
        var cameFrom = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            foreach (var next in _edges[current].Keys.Where(group.Contains))
            {
                if (next == start)
                {
                    var path = new List<string> { current, start };
                    for (var step = current; step != start; step = cameFrom[step])
                    {
                        path.Insert(0, cameFrom[step]);
                    }

                    return path;
                }

                if (cameFrom.TryAdd(next, current))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return [start];
    }

    private List<SortedSet<string>> StronglyConnectedGroups()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var lowLink = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<SortedSet<string>>();

        void Visit(string folder)
        {
            index[folder] = lowLink[folder] = index.Count;
            stack.Push(folder);
            onStack.Add(folder);
            foreach (var next in _edges[folder].Keys)
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    lowLink[folder] = Math.Min(lowLink[folder], lowLink[next]);
                }
                else if (onStack.Contains(next))
                {
                    lowLink[folder] = Math.Min(lowLink[folder], index[next]);
                }
            }

            if (lowLink[folder] == index[folder])
            {
                var group = new SortedSet<string>(StringComparer.Ordinal);
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    group.Add(member);
                }
                while (member != folder);
                groups.Add(group);
            }
        }

        foreach (var folder in _edges.Keys.Where(folder => !index.ContainsKey(folder)))
        {
            Visit(folder);
        }

        return groups;
    }

    private SortedDictionary<string, SortedSet<string>> Targets(string folder)
    {
        if (!_edges.TryGetValue(folder, out var targets))
        {
            targets = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            _edges[folder] = targets;
        }

        return targets;
    }

    private static string? FolderOf(string @namespace, string rootNamespace)
    {
        var prefix = rootNamespace + ".";
        if (!@namespace.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = @namespace[prefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static string ShortName(string fullName, string rootNamespace)
    {
        fullName = fullName.StartsWith(rootNamespace + ".", StringComparison.Ordinal) ? fullName[(rootNamespace.Length + 1)..] : fullName;
        var slash = fullName.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? fullName : fullName[..slash];
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }
}
