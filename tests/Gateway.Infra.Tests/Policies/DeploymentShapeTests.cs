using Libromi.Gateway.Infra.Tests.Bicep;

namespace Libromi.Gateway.Infra.Tests.Policies;

[Collection(CompiledInfraCollection.Name)]
public sealed class DeploymentShapeTests(CompiledInfraFixture infra)
{
    [Fact]
    public void Template_deploys_at_subscription_scope_and_creates_its_resource_group()
    {
        Assert.Contains("subscriptionDeploymentTemplate.json", infra.Template.Root["$schema"]!.GetValue<string>(), StringComparison.Ordinal);
        var group = Assert.Single(infra.Template.OwnResources, resource => resource.Type == ResourceTypes.ResourceGroup);
        Assert.Equal("[parameters('location')]", group.Text("location"));
    }

    [Fact]
    public void Resource_group_carries_the_azd_environment_tag()
    {
        var group = Assert.Single(infra.Template.OwnResources, resource => resource.Type == ResourceTypes.ResourceGroup);
        var tags = group.Text("tags") == "[variables('tags')]" ? infra.Template.Variable("tags") : group.Node("tags");
        Assert.Equal("[parameters('environmentName')]", tags?["azd-env-name"]?.GetValue<string>());
    }

    [Fact]
    public void Every_location_comes_from_a_parameter_or_is_global()
    {
        var located = infra.Template.AllResources.Where(resource => resource.Json["location"] is not null).ToList();
        Assert.NotEmpty(located);
        Assert.All(located, resource =>
        {
            var location = resource.Text("location")!;
            Assert.True(location == "global" || location.StartsWith("[parameters('location')", StringComparison.Ordinal), $"{resource}: location {location}");
        });
    }
}
