using Libromi.Gateway.Tests.Architecture;
using Mono.Cecil;

namespace Libromi.Gateway.EndToEnd.Architecture;

/// <summary>
/// The two hosts only translate: a Functions trigger or a standalone service hands its input to the core and its
/// answer back, so that both hosts behave alike and every rule lives (and is tested) once, in the core. Read from
/// the compiled hosts (signatures and IL), which this project references anyway.
/// </summary>
public sealed class HostThinnessTests
{
    /// <summary>
    /// Storage, Key Vault, HTTP clients and JSON belong to the core. A host that touches them has grown a rule of
    /// its own that the other host does not share.
    /// </summary>
    private static readonly string[] CoreOnlyNamespaces =
    [
        "Azure.Storage",
        "Azure.Data.Tables",
        "Azure.Security.KeyVault",
        "System.Net.Http",
        "System.Text.Json",
    ];

    /// <summary>
    /// A translation is a handful of calls: the largest hand-written host method today (StandaloneApp.Build: create
    /// the builder, add the gateway and four hosted services, map the routes) makes 11. A method beyond this is doing
    /// work that belongs in the core. Counted are the distinct methods called, not property reads and not the
    /// await plumbing the compiler writes (builders, awaiters, ConfigureAwait), so async and sync methods count alike.
    /// </summary>
    private const int MaxCallsPerMethod = 12;

    private static readonly Lazy<IReadOnlyList<TypeDefinition>> HostTypes = new(() =>
        [.. HandWrittenTypes(typeof(global::Libromi.Gateway.Functions.AdminFunctions).Assembly.Location),
         .. HandWrittenTypes(typeof(global::Libromi.Gateway.Standalone.StandaloneApp).Assembly.Location)]);

    [Fact]
    public void Host_types_use_no_storage_http_client_or_json_api_directly()
    {
        var offences = HostTypes.Value
            .SelectMany(type => TypeReferences.Of(type)
                .Where(reference => CoreOnlyNamespaces.Any(ns => TypeReferences.NamespaceOf(reference).StartsWith(ns, StringComparison.Ordinal)))
                .Select(reference => $"{type.FullName} → {reference.FullName}"))
            .Distinct()
            .ToList();

        Assert.True(offences.Count == 0, $"Host types reach past the core:\n{string.Join('\n', offences)}");
    }

    [Fact]
    public void Host_methods_are_translations_of_a_few_calls()
    {
        var large = HostTypes.Value
            .SelectMany(type => type.Methods)
            .Where(method => method.HasBody && !IsGenerated(method))
            .Select(method => (Method: method, Calls: CallsMadeBy(method)))
            .Where(m => m.Calls > MaxCallsPerMethod)
            .Select(m => $"{m.Method.DeclaringType.FullName}.{m.Method.Name}: {m.Calls} calls")
            .ToList();

        Assert.True(large.Count == 0, $"Host methods making more than {MaxCallsPerMethod} calls:\n{string.Join('\n', large)}");
    }

    [Fact]
    public void Every_function_hands_over_to_the_core()
    {
        var coreAssembly = typeof(global::Libromi.Gateway.Hosting.GatewayServiceCollectionExtensions).Assembly.GetName().Name;
        var functions = HostTypes.Value
            .SelectMany(type => type.Methods)
            .Where(method => method.CustomAttributes.Any(a => a.AttributeType.FullName == "Microsoft.Azure.Functions.Worker.FunctionAttribute"))
            .ToList();

        // Guards the two tests above against reading an empty or wrong assembly: the Functions app has 23 triggers.
        Assert.True(functions.Count >= 20, $"only {functions.Count} [Function] methods found");
        var alone = functions
            .Where(method => !method.Body.Instructions
                .Select(instruction => instruction.Operand)
                .OfType<MemberReference>()
                .Any(member => member.DeclaringType?.Scope.Name == coreAssembly))
            .Select(method => $"{method.DeclaringType.Name}.{method.Name}")
            .ToList();
        Assert.True(alone.Count == 0, $"Functions that call nothing in the core:\n{string.Join('\n', alone)}");
    }

    /// <summary>
    /// The types written by hand in a host: not the Functions worker's generated executor and metadata provider,
    /// and not the compiler's closures and state machines (their code is counted in the method that owns them).
    /// </summary>
    private static IEnumerable<TypeDefinition> HandWrittenTypes(string assemblyPath)
    {
        var module = TypeReferences.ReadModule(assemblyPath);
        return TypeReferences.AllTypes(module)
            .Where(type => type.Name != "<Module>")
            .Where(type => !IsGenerated(type) && !(type.DeclaringType is { } outer && IsGenerated(outer)))
            .ToList();
    }

    private static int CallsMadeBy(MethodDefinition method) => method.Body.Instructions
        .Select(instruction => instruction.Operand)
        .OfType<MethodReference>()
        .Where(called => !called.Name.StartsWith("get_", StringComparison.Ordinal)
            && called.DeclaringType.Namespace != "System.Runtime.CompilerServices"
            && called.Name is not ("ConfigureAwait" or "GetAwaiter" or "GetResult" or "get_IsCompleted"))
        .Select(called => called.FullName)
        .Distinct()
        .Count();

    private static bool IsGenerated(ICustomAttributeProvider member) =>
        member.CustomAttributes.Any(a => a.AttributeType.Name is "GeneratedCodeAttribute");
}
