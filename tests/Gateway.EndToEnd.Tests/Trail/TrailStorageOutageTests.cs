using System.Net;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Trail;

namespace Libromi.Gateway.EndToEnd.Trail;

/// <summary>Reading the trail while storage is down answers 503 with Retry-After, never a 5xx of another kind or a hang.</summary>
public sealed class TrailStorageOutageTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Trail_reads_during_a_storage_outage_answer_503_problem_with_retry_after()
    {
        await fixture.ResetAsync();
        await using var gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?> { ["Gateway:StorageTimeout"] = "00:00:02" });
        var id = await gateway.PostContactAsync("""{"phone_number": "+447700918301", "attributes": {"city": "Bath"} }""");
        await gateway.WaitForStateAsync(id, OperationStates.Delivered);
        await fixture.Azurite.StopAsync();
        try
        {
            foreach (var path in new[] { $"/api/operations/{id}", "/api/operations?phone_number=447700918301", "/api/deliveries" })
            {
                var response = await gateway.Client.GetAsync(path);

                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }
        finally
        {
            await fixture.Azurite.StartAsync();
        }

        var after = await gateway.Client.GetAsync($"/api/operations/{Guid.CreateVersion7():N}");
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }
}
