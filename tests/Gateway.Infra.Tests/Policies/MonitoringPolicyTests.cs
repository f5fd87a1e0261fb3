using Libromi.Gateway.Infra.Tests.Bicep;

namespace Libromi.Gateway.Infra.Tests.Policies;

[Collection(CompiledInfraCollection.Name)]
public sealed class MonitoringPolicyTests(CompiledInfraFixture infra)
{
    [Fact]
    public void Application_insights_accepts_only_entra_id_authenticated_telemetry()
    {
        var component = infra.Template.SingleOfType(ResourceTypes.ApplicationInsights);
        Assert.Equal("true", component.Text("properties.DisableLocalAuth"));
        Assert.NotNull(component.Text("properties.WorkspaceResourceId"));
    }

    [Fact]
    public void App_sends_telemetry_with_its_managed_identity()
    {
        var settings = FunctionApp.AppSettings(infra.Template);
        Assert.Equal("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Contains(".ConnectionString", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deadletter-growing", "gateway.deadletter.depth")]
    [InlineData("circuit-open", "LibromiCircuitOpened")]
    [InlineData("circuit-open", "gateway.circuit.open")]
    public void Alert_rule_queries_the_signal_the_gateway_emits(string alert, string signal)
    {
        var rule = infra.Template.SingleOfType(ResourceTypes.ScheduledQueryRule);
        Assert.Equal("[length(variables('alerts'))]", rule.Text("copy.count"));
        Assert.Equal("[variables('alerts')[copyIndex()].query]", rule.Node("properties.criteria.allOf")![0]!["query"]!.GetValue<string>());

        var alerts = rule.Template.Variable("alerts")!.AsArray();
        var definition = Assert.Single(alerts, candidate => candidate!["name"]!.GetValue<string>() == alert)!;
        // loadTextContent() compiles to a variable holding the file's text.
        var query = rule.Template.Dereference(definition["query"])!.GetValue<string>();
        Assert.Contains($"\"{signal}\"", query, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(BuildInfo.InRepository("infra", "modules", "alerts", $"{alert}.kql")), query);
    }

    [Fact]
    public void Alert_rules_watch_application_insights_and_fire_on_any_result_row()
    {
        var rule = infra.Template.SingleOfType(ResourceTypes.ScheduledQueryRule);
        Assert.Contains("Microsoft.Insights/components", rule.Node("properties.scopes")![0]!.GetValue<string>(), StringComparison.Ordinal);
        var criterion = rule.Node("properties.criteria.allOf")![0]!;
        Assert.Equal("Count", criterion["timeAggregation"]!.GetValue<string>());
        Assert.Equal("GreaterThan", criterion["operator"]!.GetValue<string>());
        Assert.Equal(0, criterion["threshold"]!.GetValue<int>());
    }
}
