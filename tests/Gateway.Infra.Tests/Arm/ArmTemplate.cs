using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Libromi.Gateway.Infra.Tests.Arm;

/// <summary>
/// A compiled ARM template. Bicep compiles each module to a nested deployment
/// (<c>Microsoft.Resources/deployments</c> with <c>properties.template</c>), so resources are
/// found by walking every nested template.
/// </summary>
public sealed partial class ArmTemplate
{
    private const string DeploymentType = "Microsoft.Resources/deployments";

    public ArmTemplate(JsonObject root, string deploymentName = "main", ArmTemplate? parent = null)
    {
        Root = root;
        DeploymentName = deploymentName;
        Parent = parent;
    }

    public JsonObject Root { get; }

    /// <summary>Name of the module deployment this template is the body of ("main" at the top).</summary>
    public string DeploymentName { get; }

    public ArmTemplate? Parent { get; }

    public JsonObject Outputs => Root["outputs"]?.AsObject() ?? [];

    public JsonObject Parameters => Root["parameters"]?.AsObject() ?? [];

    /// <summary>Resources declared by this template itself, without <c>existing</c> references.</summary>
    public IEnumerable<ArmResource> OwnResources
    {
        get
        {
            // languageVersion 2.0 keys resources by symbolic name; 1.0 lists them.
            IEnumerable<JsonNode?> nodes = Root["resources"] switch
            {
                JsonArray array => array,
                JsonObject map => map.Select(entry => entry.Value),
                _ => [],
            };
            return nodes
                .OfType<JsonObject>()
                .Where(resource => resource["existing"]?.GetValue<bool>() != true)
                .Select(resource => new ArmResource(resource, this));
        }
    }

    public IEnumerable<ArmTemplate> NestedTemplates =>
        OwnResources
            .Where(resource => resource.Type == DeploymentType && resource.Json["properties"]?["template"] is JsonObject)
            .Select(resource => new ArmTemplate(
                resource.Json["properties"]!["template"]!.AsObject(),
                resource.Json["name"]!.GetValue<string>(),
                this));

    /// <summary>Every resource in this template and all nested templates, deployments excluded.</summary>
    public IEnumerable<ArmResource> AllResources =>
        OwnResources.Where(resource => resource.Type != DeploymentType)
            .Concat(NestedTemplates.SelectMany(nested => nested.AllResources));

    public IReadOnlyList<ArmResource> ResourcesOfType(string type) =>
        AllResources.Where(resource => string.Equals(resource.Type, type, StringComparison.OrdinalIgnoreCase)).ToList();

    public ArmResource SingleOfType(string type)
    {
        var matches = ResourcesOfType(type);
        Assert.True(matches.Count == 1, $"Expected exactly one {type}, found {matches.Count}.");
        return matches[0];
    }

    /// <summary>The nested template of the module deployed under <paramref name="deploymentName"/>.</summary>
    public ArmTemplate Module(string deploymentName) =>
        NestedTemplates.SingleOrDefault(nested => nested.DeploymentName == deploymentName)
        ?? throw new InvalidOperationException($"No module deployment named '{deploymentName}'.");

    /// <summary>The value a parent template passes to this module's parameter, as written (often an expression).</summary>
    public string? ModuleParameterValue(string deploymentName, string parameterName)
    {
        var deployment = OwnResources.Single(resource => resource.Type == DeploymentType && resource.Json["name"]?.GetValue<string>() == deploymentName);
        return deployment.Json["properties"]?["parameters"]?[parameterName]?["value"] switch
        {
            null => null,
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            var node => node.ToJsonString(),
        };
    }

    public JsonNode? Variable(string name) => Root["variables"]?[name];

    /// <summary>
    /// Replaces <c>variables('x')</c> with the quoted literal when x is a plain string variable,
    /// so an assertion can look for a role id or a name in an expression.
    /// </summary>
    public string ResolveVariables(string expression) =>
        VariableReference().Replace(expression, match =>
            Variable(match.Groups["name"].Value) is JsonValue value && value.TryGetValue<string>(out var text) && !text.StartsWith('[')
                ? $"'{text}'"
                : match.Value);

    /// <summary>The value of a variable an expression is exactly a reference to (<c>[variables('x')]</c>), else the expression.</summary>
    public JsonNode? Dereference(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && WholeVariableReference().Match(text) is { Success: true } match
            ? Variable(match.Groups["name"].Value)
            : node;

    [GeneratedRegex(@"^\[variables\('(?<name>[^']+)'\)\]$")]
    private static partial Regex WholeVariableReference();

    [GeneratedRegex(@"variables\('(?<name>[^']+)'\)")]
    private static partial Regex VariableReference();
}

/// <summary>One resource of a compiled template, with the template that declares it.</summary>
public sealed record ArmResource(JsonObject Json, ArmTemplate Template)
{
    public string Type => Json["type"]!.GetValue<string>();

    public JsonObject Properties => Json["properties"]?.AsObject() ?? [];

    /// <summary>Text of a property path such as <c>properties.siteConfig.minTlsVersion</c>, or null.</summary>
    public string? Text(string path) => Node(path) switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        var node => node.ToJsonString(),
    };

    public JsonNode? Node(string path) =>
        path.Split('.').Aggregate<string, JsonNode?>(Json, (node, segment) => node switch
        {
            JsonObject map => map[segment],
            JsonArray list when int.TryParse(segment, out var index) && index < list.Count => list[index],
            _ => null,
        });

    public override string ToString() => $"{Type} {Json["name"]} in {Template.DeploymentName}";
}
