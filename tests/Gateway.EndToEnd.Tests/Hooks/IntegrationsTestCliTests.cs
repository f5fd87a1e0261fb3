using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.Cli;
using Libromi.Gateway.EndToEnd.Operations;
using Libromi.Gateway.EndToEnd.Pipeline;
using Spectre.Console;

namespace Libromi.Gateway.EndToEnd.Hooks;

/// <summary>
/// <c>gateway integrations test FILE NAME SAMPLE</c> runs the route's dry run on this machine: the same report for the
/// same sample, and exit codes a CI pipeline can act on.
/// </summary>
public sealed class IntegrationsTestCliTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task A_sample_that_would_be_accepted_exits_0_with_the_report_the_route_answers()
    {
        const string Sample = """{ "sample": { "body_text": "phone=%2B447700900140&name=Ana&owner_email=agent%40company.test", "content_type": "application/x-www-form-urlencoded" } }""";
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture);
        using var admin = AdminClient.For(gateway);
        using var response = await admin.PostAsync("/api/integrations/zapier/test", new StringContent(Sample, Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
        var routeReport = JsonNode.Parse(await response.Content.ReadAsStringAsync());

        var (exitCode, output) = await TestAsync(Write(HookGateway.IntegrationsJson), "zapier", Write(Sample));

        Assert.Equal(IntegrationsTestCommand.WouldBeAccepted, exitCode);
        Assert.True(JsonNode.DeepEquals(routeReport, JsonNode.Parse(output)), $"route: {routeReport}\ncli: {output}");
    }

    [Fact]
    public async Task A_sample_a_delivery_would_be_refused_for_exits_3_with_the_field_errors()
    {
        var (exitCode, output) = await TestAsync(Write(HookGateway.IntegrationsJson), "zapier", Write("""{ "sample": { "body": { "phone": "12" } } }"""));

        Assert.Equal(IntegrationsTestCommand.WouldBeRefused, exitCode);
        var report = JsonNode.Parse(output)!;
        Assert.Equal("invalid", report["outcome"]!.GetValue<string>());
        Assert.NotNull(report["errors"]!["items[0].phone_number"]);
    }

    [Fact]
    public async Task A_saved_contact_answer_teaches_attribute_types_without_calling_Libromi()
    {
        const string Contact = """
            {"status":"SUCCESS","message":"Contact retrieved successfully","contact":{"id":1,"phone_number":"447700900141","contact_attributes":[
              {"attribute_name":"name","attribute_value":"Ana","display_value":"Ana","attribute_field":{"attribute_label":"Name","field_type":"text","is_read_only":false,"visibility":"public"}},
              {"attribute_name":"email","attribute_value":"ana@example.com","display_value":"ana@example.com","attribute_field":{"attribute_label":"Email","field_type":"email","is_read_only":false,"visibility":"public"}}]}}
            """;

        var (exitCode, output) = await TestAsync(Write(HookGateway.IntegrationsJson), "zapier",
            Write("""{ "sample": { "body": { "phone": "+447700900141", "name": "Ana", "email": "ana at example" } } }"""), "--contact", Write(Contact));

        Assert.Equal(IntegrationsTestCommand.WouldBeRefused, exitCode);
        var types = JsonNode.Parse(output)!["attribute_types"]!;
        Assert.Equal("items[0].attributes.email", Assert.Single(types["warnings"]!.AsArray())!["field"]!.GetValue<string>());
        Assert.Equal("""["source"]""", types["unknown"]!.ToJsonString());
    }

    [Fact]
    public async Task An_invalid_file_exits_1_with_exactly_the_lines_of_the_check()
    {
        var file = Write("""{ "integrations": { "crm": { "verify": { "scheme": "none" }, "operations": [] } } }""");
        var checkOutput = new StringWriter();
        IntegrationsCheckCommand.Run(["integrations", "check", file], Console(checkOutput));

        var (exitCode, output) = await TestAsync(file, "crm", Write("""{ "sample": { "body": {} } }"""));

        Assert.Equal(IntegrationsTestCommand.InvalidFile, exitCode);
        Assert.Equal(checkOutput.ToString(), output);
    }

    [Theory]
    [InlineData("nosuch", """{ "sample": { "body": {} } }""")]
    [InlineData("zapier", """{ "sampel": { "body": {} } }""")]
    [InlineData("zapier", """{ "sample": { "body": {} }, "definition": {} }""")]
    [InlineData("zapier", """not json""")]
    public async Task An_unknown_integration_or_an_invalid_sample_is_a_usage_error(string integration, string sample)
    {
        var (exitCode, _) = await TestAsync(Write(HookGateway.IntegrationsJson), integration, Write(sample));

        Assert.Equal(IntegrationsTestCommand.Usage, exitCode);
    }

    [Theory]
    [InlineData("integrations", "test")]
    [InlineData("integrations", "test", "a.json", "crm")]
    [InlineData("integrations", "test", "a.json", "crm", "sample.json", "extra")]
    public async Task Missing_or_extra_arguments_are_a_usage_error(params string[] args)
    {
        var output = new StringWriter();

        var exitCode = await IntegrationsTestCommand.RunAsync(args, Console(output), CancellationToken.None);

        Assert.Equal(IntegrationsTestCommand.Usage, exitCode);
        Assert.Contains("usage: gateway integrations test FILE NAME SAMPLE", output.ToString(), StringComparison.Ordinal);
    }

    internal static async Task<(int ExitCode, string Output)> TestAsync(string file, string integration, string sample, params string[] options)
    {
        var output = new StringWriter();
        var exitCode = await IntegrationsTestCommand.RunAsync(["integrations", "test", file, integration, sample, .. options], Console(output), CancellationToken.None);
        return (exitCode, output.ToString());
    }

    internal static IAnsiConsole Console(StringWriter output) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.No, Ansi = AnsiSupport.No });

    private static string Write(string content)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("integrations-test-").FullName, "file.json");
        File.WriteAllText(path, content);
        return path;
    }
}
