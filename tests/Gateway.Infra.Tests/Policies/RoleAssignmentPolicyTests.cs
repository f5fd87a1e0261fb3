using Libromi.Gateway.Infra.Tests.Arm;
using Libromi.Gateway.Infra.Tests.Bicep;

namespace Libromi.Gateway.Infra.Tests.Policies;

[Collection(CompiledInfraCollection.Name)]
public sealed class RoleAssignmentPolicyTests(CompiledInfraFixture infra)
{
    // Built-in role definition ids (identical in every tenant).
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private sealed record Grant(string RoleId, string ScopeType, string PrincipalParameter);

    [Fact]
    public void Role_assignments_grant_exactly_the_expected_roles_on_their_resources()
    {
        Grant[] expected =
        [
            new(StorageBlobDataOwner, ResourceTypes.StorageAccount, "appPrincipalId"),
            new(StorageQueueDataContributor, ResourceTypes.StorageAccount, "appPrincipalId"),
            new(StorageTableDataContributor, ResourceTypes.StorageAccount, "appPrincipalId"),
            new(KeyVaultSecretsUser, ResourceTypes.KeyVault, "appPrincipalId"),
            new(KeyVaultSecretsOfficer, ResourceTypes.KeyVault, "deployerPrincipalId"),
            new(MonitoringMetricsPublisher, ResourceTypes.ApplicationInsights, "appPrincipalId"),
        ];

        var actual = RoleAssignments().Select(Describe).ToList();

        Assert.Equal(
            expected.OrderBy(grant => grant.RoleId, StringComparer.Ordinal),
            actual.OrderBy(grant => grant.RoleId, StringComparer.Ordinal));
    }

    [Fact]
    public void Every_role_assignment_is_scoped_to_one_resource_not_the_resource_group()
    {
        var assignments = RoleAssignments();
        Assert.NotEmpty(assignments);
        Assert.All(assignments, assignment =>
        {
            var scope = assignment.Text("scope");
            Assert.NotNull(scope);
            Assert.StartsWith("[resourceId('", scope, StringComparison.Ordinal);
            Assert.DoesNotContain("resourceGroup()", scope, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Role_assignment_names_are_guids_of_scope_principal_and_role()
    {
        Assert.All(RoleAssignments(), assignment =>
        {
            var name = assignment.Text("name")!;
            Assert.StartsWith("[guid(" + assignment.Text("scope")!.Trim('[', ']'), name, StringComparison.Ordinal);
            Assert.Contains(assignment.Text("properties.principalId")!.Trim('[', ']'), name, StringComparison.Ordinal);
            var roleVariable = assignment.Text("properties.roleDefinitionId")!.Split(", ")[1].TrimEnd(']', ')');
            Assert.Contains(roleVariable, name, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void App_roles_go_to_the_apps_managed_identity()
    {
        foreach (var module in new[] { "storage", "keyvault", "monitoring" })
        {
            var passed = infra.Template.ModuleParameterValue(module, "appPrincipalId");
            Assert.Contains("'identity'", passed, StringComparison.Ordinal);
            Assert.Contains("outputs.principalId", passed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Deploying_principal_gets_secrets_officer_only_when_a_principal_id_is_given()
    {
        var officer = Assert.Single(RoleAssignments(), assignment => Describe(assignment).RoleId == KeyVaultSecretsOfficer);
        Assert.Equal("[not(empty(parameters('deployerPrincipalId')))]", officer.Text("condition"));
        Assert.Equal("[parameters('principalId')]", infra.Template.ModuleParameterValue("keyvault", "deployerPrincipalId"));
        Assert.Equal(string.Empty, infra.Template.Parameters["principalId"]!["defaultValue"]!.GetValue<string>());

        Assert.All(
            RoleAssignments().Where(assignment => !ReferenceEquals(assignment.Json, officer.Json)),
            assignment => Assert.Null(assignment.Json["condition"]));
    }

    private IReadOnlyList<ArmResource> RoleAssignments() => infra.Template.ResourcesOfType(ResourceTypes.RoleAssignment);

    private static Grant Describe(ArmResource assignment)
    {
        var roleDefinition = assignment.Template.ResolveVariables(assignment.Text("properties.roleDefinitionId")!);
        var roleId = System.Text.RegularExpressions.Regex.Match(roleDefinition, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").Value;
        Assert.StartsWith("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ", roleDefinition, StringComparison.Ordinal);

        var scope = assignment.Text("scope") ?? "(resource group)";
        var scopeType = scope.StartsWith("[resourceId('", StringComparison.Ordinal) ? scope["[resourceId('".Length..].Split('\'')[0] : scope;

        var principal = assignment.Text("properties.principalId")!;
        var principalParameter = principal.StartsWith("[parameters('", StringComparison.Ordinal) ? principal["[parameters('".Length..].Split('\'')[0] : principal;

        return new Grant(roleId, scopeType, principalParameter);
    }
}
