using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Imports;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Trail;

namespace Libromi.Gateway.EndToEnd.Trail;

/// <summary>An import's rows in the trail: the failed row's link leads to its Libromi answer, and a search by import finds every row tried.</summary>
public sealed class ImportTrailTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Failed_import_row_links_to_its_trail_with_the_import_line_and_Libromi_s_refusal()
    {
        await fixture.ResetAsync();
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator);
        var json = """
            [
              {"phone_number": "447700918401", "attributes": {"age": 31}},
              {"phone_number": "447700918402", "attributes": {"age": "not a number"}}
            ]
            """;

        using var response = await gateway.PostFileAsync(json, "application/json");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        var importId = location[(location.LastIndexOf('/') + 1)..];
        var progress = await gateway.WaitForProgressAsync(location, ImportClient.IsFinished, "the import to finish");
        var failed = progress["failed_rows"]!["items"]![0]!;
        var link = failed["operation"]!.GetValue<string>();
        Assert.Equal($"/api/operations/{failed["operation_id"]!.GetValue<string>()}", link);

        var operation = (await gateway.Client.GetFromJsonAsync<JsonObject>(link))!;
        Assert.Equal(OperationStates.DeadLettered, operation["state"]!.GetValue<string>());
        Assert.Equal("bulk", operation["lane"]!.GetValue<string>());
        Assert.Equal("import", operation["source"]!["kind"]!.GetValue<string>());
        Assert.Equal(importId, operation["source"]!["import_id"]!.GetValue<string>());
        Assert.Equal(2, operation["source"]!["line"]!.GetValue<int>());
        Assert.Equal(422, Assert.Single(operation.Calls())["status"]!.GetValue<int>());
        Assert.Equal($"/api/imports/{importId}", operation["links"]!["import"]!.GetValue<string>());

        var rows = await gateway.SearchAsync($"/api/operations?import_id={importId}");
        Assert.Equal(2, rows.Ids().Count);
        Assert.Equal([OperationStates.DeadLettered, OperationStates.Delivered],
            rows["items"]!.AsArray().Select(o => o!["state"]!.GetValue<string>()).Order());
    }
}
