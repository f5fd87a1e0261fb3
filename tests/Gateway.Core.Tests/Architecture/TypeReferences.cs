using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Libromi.Gateway.Tests.Architecture;

/// <summary>
/// What a compiled type refers to, read from its metadata with Mono.Cecil rather than from <c>using</c> lines: base
/// type, interfaces, attributes, member signatures, locals and every type, method and field its IL touches. A
/// <c>using</c> can be unused and a fully qualified name needs none, so only the compiled references are the truth.
/// </summary>
internal static class TypeReferences
{
    public static ModuleDefinition ReadModule(string assemblyPath) => ModuleDefinition.ReadModule(assemblyPath);

    /// <summary>Every type of the module, nested ones (closures, state machines, source-generated parts) included.</summary>
    public static IEnumerable<TypeDefinition> AllTypes(ModuleDefinition module) =>
        module.Types.SelectMany(Flatten);

    /// <summary>The namespace a type is written in: a nested type's is its outermost declaring type's.</summary>
    public static string NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type.Namespace;
    }

    public static IEnumerable<TypeReference> Of(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        Add(found, type.BaseType);
        found.AddRange(type.Interfaces.SelectMany(i => Unwrap(i.InterfaceType)));
        AddAttributes(found, type);

        foreach (var field in type.Fields)
        {
            Add(found, field.FieldType);
            AddAttributes(found, field);
        }

        foreach (var property in type.Properties)
        {
            Add(found, property.PropertyType);
        }

        foreach (var @event in type.Events)
        {
            Add(found, @event.EventType);
        }

        foreach (var method in type.Methods)
        {
            AddMethod(found, method);
        }

        return found;
    }

    private static IEnumerable<TypeDefinition> Flatten(TypeDefinition type) =>
        type.NestedTypes.SelectMany(Flatten).Prepend(type);

    private static void AddMethod(List<TypeReference> found, MethodDefinition method)
    {
        AddSignature(found, method);
        AddAttributes(found, method);
        if (!method.HasBody)
        {
            return;
        }

        foreach (var variable in method.Body.Variables)
        {
            Add(found, variable.VariableType);
        }

        foreach (var instruction in method.Body.Instructions)
        {
            AddOperand(found, instruction);
        }
    }

    private static void AddOperand(List<TypeReference> found, Instruction instruction)
    {
        switch (instruction.Operand)
        {
            case TypeReference type:
                Add(found, type);
                break;
            case MethodReference method:
                Add(found, method.DeclaringType);
                AddSignature(found, method);
                if (method is GenericInstanceMethod generic)
                {
                    foreach (var argument in generic.GenericArguments)
                    {
                        Add(found, argument);
                    }
                }

                break;
            case FieldReference field:
                Add(found, field.DeclaringType);
                Add(found, field.FieldType);
                break;
        }
    }

    private static void AddSignature(List<TypeReference> found, MethodReference method)
    {
        Add(found, method.ReturnType);
        foreach (var parameter in method.Parameters)
        {
            Add(found, parameter.ParameterType);
        }
    }

    private static void AddAttributes(List<TypeReference> found, ICustomAttributeProvider provider)
    {
        foreach (var attribute in provider.CustomAttributes)
        {
            Add(found, attribute.AttributeType);
        }
    }

    private static void Add(List<TypeReference> found, TypeReference? type)
    {
        if (type is not null)
        {
            found.AddRange(Unwrap(type));
        }
    }

    /// <summary>Arrays, by-refs and generic instances stand for the types they are made of.</summary>
    private static IEnumerable<TypeReference> Unwrap(TypeReference type) => type switch
    {
        GenericParameter => [],
        GenericInstanceType generic => Unwrap(generic.ElementType).Concat(generic.GenericArguments.SelectMany(Unwrap)),
        TypeSpecification specification => Unwrap(specification.ElementType),
        _ => [type],
    };
}
