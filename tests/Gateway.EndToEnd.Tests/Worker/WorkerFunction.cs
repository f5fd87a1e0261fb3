using System.Text.Json;
using Libromi.Gateway.EndToEnd.Worker.Rpc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace Libromi.Gateway.EndToEnd.Worker;

/// <summary>
/// One function as the worker indexed it (its <c>FunctionMetadataResponse</c> entry), read from the trigger's raw
/// binding JSON, which is what the Functions host builds its routes, key checks and queue listeners from.
/// </summary>
public sealed record WorkerFunction(
    string Name,
    string FunctionId,
    string TriggerType,
    string TriggerName,
    string? Route,
    IReadOnlyList<string> Methods,
    string? AuthLevel,
    string? QueueName,
    string? Connection,
    string? Schedule)
{
    internal RpcFunctionMetadata Metadata { get; private init; } = null!;

    private TemplateMatcher? _matcher;

    internal static WorkerFunction From(RpcFunctionMetadata metadata)
    {
        foreach (var raw in metadata.RawBindings)
        {
            using var document = JsonDocument.Parse(raw);
            var binding = document.RootElement;
            var type = Text(binding, "type") ?? "";
            if (!type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var methods = binding.TryGetProperty("methods", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToArray()
                : [];
            return new WorkerFunction(metadata.Name, metadata.FunctionId, type, Text(binding, "name") ?? "", Text(binding, "route"), methods,
                Text(binding, "authLevel"), Text(binding, "queueName"), Text(binding, "connection"), Text(binding, "schedule"))
            {
                Metadata = metadata,
            };
        }
        throw new InvalidOperationException($"Function {metadata.Name} has no trigger binding: {string.Join(" ", metadata.RawBindings)}");
    }

    public bool IsHttp => TriggerType.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase);

    /// <summary>Matches a request path against <c>{routePrefix}/{route}</c> (the function's name when it has no route), as the host routes.</summary>
    internal bool TryMatch(string routePrefix, string path, RouteValueDictionary values)
    {
        _matcher ??= new TemplateMatcher(TemplateParser.Parse($"{routePrefix}/{Route ?? Name}"), []);
        return _matcher.TryMatch(path, values);
    }

    /// <summary>Literal segments before parameters, as ASP.NET Core routing prefers <c>dead-letters/replay</c> over <c>dead-letters/{id}</c>.</summary>
    internal int ParameterCount => (Route ?? "").Count(c => c == '{');

    private static string? Text(JsonElement binding, string name) =>
        binding.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
