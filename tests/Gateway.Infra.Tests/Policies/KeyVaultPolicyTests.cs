using Libromi.Gateway.Infra.Tests.Bicep;

namespace Libromi.Gateway.Infra.Tests.Policies;

[Collection(CompiledInfraCollection.Name)]
public sealed class KeyVaultPolicyTests(CompiledInfraFixture infra)
{
    [Fact]
    public void Key_vault_authorizes_with_rbac_only()
    {
        var vault = infra.Template.SingleOfType(ResourceTypes.KeyVault);
        Assert.Equal("true", vault.Text("properties.enableRbacAuthorization"));
        Assert.Null(vault.Node("properties.accessPolicies"));
    }

    [Fact]
    public void Key_vault_keeps_deleted_secrets_recoverable_with_purge_protection()
    {
        var vault = infra.Template.SingleOfType(ResourceTypes.KeyVault);
        Assert.Equal("true", vault.Text("properties.enableSoftDelete"));
        Assert.Equal("true", vault.Text("properties.enablePurgeProtection"));
    }

    [Fact]
    public void App_reads_the_vault_uri_the_vault_reports()
    {
        Assert.Equal("[parameters('keyVaultUri')]", FunctionApp.AppSettings(infra.Template)["KeyVault__VaultUri"]);
        var passed = infra.Template.ModuleParameterValue("gateway", "keyVaultUri");
        Assert.Contains("'keyvault'", passed, StringComparison.Ordinal);
        Assert.Contains("outputs.vaultUri", passed, StringComparison.Ordinal);
        var vaultUriOutput = infra.Template.Module("keyvault").Outputs["vaultUri"]!["value"]!.GetValue<string>();
        Assert.Contains(".vaultUri", vaultUriOutput, StringComparison.Ordinal);
    }
}
