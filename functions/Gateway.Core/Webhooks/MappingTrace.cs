using System.Text.Json.Nodes;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// What <see cref="PayloadMapper"/> looked at while it mapped one delivery: for each item, each operation of the
/// integration, whether its <c>when</c> matched and what every path of a matched operation resolved to. The dry run
/// (<see cref="DryRun.IntegrationDryRun"/>) passes one to the real mapper, so what it shows is what a delivery gets; a
/// delivery passes none and pays nothing for it. Not thread-safe: one trace per mapping.
/// </summary>
public sealed class MappingTrace
{
    private readonly List<ItemTrace> _items = [];

    /// <summary>Every item the mapper found, in body order.</summary>
    public IReadOnlyList<ItemTrace> Items => _items;

    internal ItemTrace StartItem(int index)
    {
        var item = new ItemTrace(index);
        _items.Add(item);
        return item;
    }
}

/// <summary>One item of a traced delivery.</summary>
public sealed class ItemTrace(int index)
{
    private readonly List<OperationTrace> _operations = [];

    public int Index { get; } = index;

    /// <summary>Every operation of the integration, in file order, matched or not.</summary>
    public IReadOnlyList<OperationTrace> Operations => _operations;

    /// <summary>The deduplication identity the item got.</summary>
    public DeliveryIdentity? Identity { get; internal set; }

    internal OperationTrace StartOperation(int index, OperationDefinition definition)
    {
        var operation = new OperationTrace(index, definition);
        _operations.Add(operation);
        return operation;
    }
}

/// <summary>One operation of the integration applied to one item.</summary>
public sealed class OperationTrace(int index, OperationDefinition definition)
{
    private readonly List<ValueTrace> _values = [];

    /// <summary>The operation's position in the integration's <c>operations</c> list.</summary>
    public int Index { get; } = index;

    public OperationDefinition Definition { get; } = definition;

    /// <summary>How the <c>when</c> was decided; null when the operation has none (it always applies).</summary>
    public ConditionTrace? When { get; internal set; }

    /// <summary>True when the operation applied to the item (no <c>when</c>, or a <c>when</c> that matched).</summary>
    public bool Matched => When is null || When.Matched;

    /// <summary>Every value the operation read, in the order it read them; empty when it did not match.</summary>
    public IReadOnlyList<ValueTrace> Values => _values;

    internal void Read(string field, ValueSource source, bool resolved, JsonNode? value) =>
        _values.Add(new ValueTrace(field, source, resolved, value?.DeepClone()));
}

/// <summary>A <c>when</c> applied to one item: whether its path resolved, to what, and the verdict.</summary>
public sealed record ConditionTrace(Condition Condition, bool Resolved, JsonNode? Found, bool Matched);

/// <summary>
/// One value an operation read: <paramref name="Field"/> is <c>phone_number</c>, <c>staff_email</c> or
/// <c>attributes.&lt;name&gt;</c>. <paramref name="Resolved"/> is false when a path matched nothing (a literal always
/// resolves); a missing attribute is omitted from the call, a missing phone number or staff email is an error.
/// </summary>
public sealed record ValueTrace(string Field, ValueSource Source, bool Resolved, JsonNode? Value);
