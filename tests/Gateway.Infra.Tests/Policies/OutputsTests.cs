using Libromi.Gateway.Infra.Tests.Arm;
using Libromi.Gateway.Infra.Tests.Bicep;

namespace Libromi.Gateway.Infra.Tests.Policies;

[Collection(CompiledInfraCollection.Name)]
public sealed class OutputsTests(CompiledInfraFixture infra)
{
    [Fact]
    public void Outputs_give_the_gateway_base_url_from_the_apps_host_name()
    {
        var value = OutputValue("GATEWAY_BASE_URL");
        Assert.StartsWith("[format('https://{0}/api', reference(", value, StringComparison.Ordinal);
        Assert.Contains("'gateway'", value, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.defaultHostName.value)]", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_give_the_webhook_url_template()
    {
        var value = OutputValue("GATEWAY_WEBHOOK_URL_TEMPLATE");
        // ARM format() escapes a literal brace by doubling it.
        Assert.StartsWith("[format('https://{0}/api/hooks/{{integration}}', reference(", value, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.defaultHostName.value)]", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_give_the_key_vault_name_and_the_command_that_stores_the_token()
    {
        Assert.Contains("'keyvault'", OutputValue("KEY_VAULT_NAME"), StringComparison.Ordinal);

        var command = infra.Template.ResolveVariables(OutputValue("KEY_VAULT_SET_TOKEN_COMMAND"));
        Assert.StartsWith("[format('az keyvault secret set --vault-name {0} --name {1} --value <YOUR_TOKEN>', reference(", command, StringComparison.Ordinal);
        Assert.Contains(".outputs.name.value, 'libromi-api-token')]", command, StringComparison.Ordinal);
    }

    [Fact]
    public void No_output_of_any_template_is_secure_or_reads_secrets()
    {
        var templates = new List<ArmTemplate> { infra.Template };
        for (var index = 0; index < templates.Count; index++)
        {
            templates.AddRange(templates[index].NestedTemplates);
        }

        var outputs = templates.SelectMany(template => template.Outputs.Select(output => (template.DeploymentName, output.Key, Output: output.Value!))).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, output =>
        {
            var type = output.Output["type"]!.GetValue<string>();
            Assert.False(type.StartsWith("secure", StringComparison.OrdinalIgnoreCase), $"{output.DeploymentName}.{output.Key} is {type}");
            var value = output.Output["value"]!.ToJsonString();
            Assert.DoesNotMatch(@"\blist[A-Za-z]*\(", value);
            Assert.DoesNotContain("ConnectionString", value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("InstrumentationKey", value, StringComparison.OrdinalIgnoreCase);
        });
    }

    private string OutputValue(string name)
    {
        Assert.True(infra.Template.Outputs.ContainsKey(name), $"Output {name} is missing.");
        return infra.Template.Outputs[name]!["value"]!.GetValue<string>();
    }
}
