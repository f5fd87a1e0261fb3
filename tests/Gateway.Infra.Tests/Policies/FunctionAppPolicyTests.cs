using Libromi.Gateway.Infra.Tests.Bicep;

namespace Libromi.Gateway.Infra.Tests.Policies;

[Collection(CompiledInfraCollection.Name)]
public sealed class FunctionAppPolicyTests(CompiledInfraFixture infra)
{
    [Fact]
    public void Function_app_runs_on_the_flex_consumption_plan_on_linux()
    {
        var plan = infra.Template.SingleOfType(ResourceTypes.Plan);
        Assert.Equal("FC1", plan.Text("sku.name"));
        Assert.Equal("FlexConsumption", plan.Text("sku.tier"));
        Assert.Equal("true", plan.Text("properties.reserved"));

        var site = FunctionApp.Site(infra.Template);
        Assert.Equal("functionapp,linux", site.Text("kind"));
        Assert.Contains("Microsoft.Web/serverfarms", site.Text("properties.serverFarmId"), StringComparison.Ordinal);
    }

    [Fact]
    public void Function_app_runs_dotnet_isolated_10()
    {
        var site = FunctionApp.Site(infra.Template);
        Assert.Equal("dotnet-isolated", site.Text("properties.functionAppConfig.runtime.name"));
        Assert.Equal("10.0", site.Text("properties.functionAppConfig.runtime.version"));
    }

    [Fact]
    public void Function_app_deploys_from_the_blob_container_with_its_user_assigned_identity()
    {
        var site = FunctionApp.Site(infra.Template);
        Assert.Equal("UserAssigned", site.Text("identity.type"));
        var identity = Assert.Single(site.Node("identity.userAssignedIdentities")!.AsObject());
        Assert.Contains("parameters('identityId')", identity.Key, StringComparison.Ordinal);

        Assert.Equal("blobContainer", site.Text("properties.functionAppConfig.deployment.storage.type"));
        Assert.Equal("[parameters('deploymentContainerUri')]", site.Text("properties.functionAppConfig.deployment.storage.value"));
        Assert.Equal("UserAssignedIdentity", site.Text("properties.functionAppConfig.deployment.storage.authentication.type"));
        Assert.Equal("[parameters('identityId')]", site.Text("properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId"));

        Assert.Contains("'storage'", infra.Template.ModuleParameterValue("gateway", "deploymentContainerUri"), StringComparison.Ordinal);
        Assert.Contains("outputs.deploymentContainerUri", infra.Template.ModuleParameterValue("gateway", "deploymentContainerUri"), StringComparison.Ordinal);
        Assert.Contains("outputs.id", infra.Template.ModuleParameterValue("gateway", "identityId"), StringComparison.Ordinal);
    }

    [Fact]
    public void Instance_limit_and_memory_are_deployment_parameters()
    {
        var site = FunctionApp.Site(infra.Template);
        Assert.Equal("[parameters('maximumInstanceCount')]", site.Text("properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount"));
        Assert.Equal("[parameters('instanceMemoryMB')]", site.Text("properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB"));

        Assert.NotNull(infra.Template.Parameters["maximumInstanceCount"]?["defaultValue"]);
        Assert.NotNull(infra.Template.Parameters["instanceMemoryMB"]?["defaultValue"]);
    }

    [Fact]
    public void Function_app_accepts_only_https_with_tls_1_2_or_later()
    {
        var site = FunctionApp.Site(infra.Template);
        Assert.Equal("true", site.Text("properties.httpsOnly"));
        Assert.Equal("1.2", site.Text("properties.siteConfig.minTlsVersion"));
        Assert.Equal("1.2", site.Text("properties.siteConfig.scmMinTlsVersion"));
    }

    [Theory]
    [InlineData("ftp")]
    [InlineData("scm")]
    public void Basic_publishing_credentials_are_disabled(string endpoint)
    {
        var policy = Assert.Single(
            infra.Template.ResourcesOfType(ResourceTypes.PublishingCredentialsPolicy),
            resource => resource.Text("name")!.EndsWith($"'{endpoint}')]", StringComparison.Ordinal));
        Assert.Equal("false", policy.Text("properties.allow"));
    }

    [Theory]
    [InlineData("FUNCTIONS_WORKER_RUNTIME")]
    [InlineData("FUNCTIONS_EXTENSION_VERSION")]
    [InlineData("WEBSITE_RUN_FROM_PACKAGE")]
    [InlineData("WEBSITE_CONTENT")]
    public void Function_app_sets_no_setting_flex_consumption_forbids(string forbiddenPrefix)
    {
        var settings = FunctionApp.AppSettings(infra.Template);
        Assert.DoesNotContain(settings.Keys, name => name.StartsWith(forbiddenPrefix, StringComparison.OrdinalIgnoreCase));
        Assert.Null(FunctionApp.Site(infra.Template).Node("properties.siteConfig.linuxFxVersion"));
    }

    [Theory]
    [InlineData("blobServiceUri")]
    [InlineData("queueServiceUri")]
    [InlineData("tableServiceUri")]
    public void Storage_connection_is_identity_based_for_every_service(string service)
    {
        var settings = FunctionApp.AppSettings(infra.Template);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("[parameters('identityClientId')]", settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal($"[parameters('{service}')]", settings[$"AzureWebJobsStorage__{service}"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);

        // The endpoint comes from the storage account's primaryEndpoints, not a hard-coded host.
        var passed = infra.Template.ModuleParameterValue("gateway", service);
        Assert.Contains("'storage'", passed, StringComparison.Ordinal);
        Assert.Contains($"outputs.{service}", passed, StringComparison.Ordinal);
        var storageModule = infra.Template.Module("storage");
        Assert.Contains("primaryEndpoints", storageModule.Outputs[service]!["value"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_client_id_selects_the_user_assigned_identity_for_every_azure_sdk_client()
    {
        var settings = FunctionApp.AppSettings(infra.Template);
        Assert.Equal("[parameters('identityClientId')]", settings["AZURE_CLIENT_ID"]);
        var passed = infra.Template.ModuleParameterValue("gateway", "identityClientId");
        Assert.Contains("'identity'", passed, StringComparison.Ordinal);
        Assert.Contains("outputs.clientId", passed, StringComparison.Ordinal);
    }

    [Fact]
    public void Function_app_is_tagged_as_the_azd_gateway_service()
    {
        var tags = FunctionApp.Site(infra.Template).Text("tags");
        Assert.Contains("'azd-service-name', 'gateway'", tags, StringComparison.Ordinal);
    }
}
