using Libromi.Gateway.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Libromi.Gateway.Tests.Http;

public sealed class WithHeaderResultTests
{
    [Fact]
    public void The_status_is_the_wrapped_answers()
    {
        var result = Problems.WithHeader(Problems.NotFound("none"), "x-delivery-id", "d1");

        Assert.Equal(StatusCodes.Status404NotFound, result.StatusCode);
    }

    [Fact]
    public void The_status_of_a_wrapped_typed_union_is_its_chosen_answers()
    {
        Results<JsonHttpResult<string>, ProblemHttpResult> chosen = TypedResults.Json("ok", statusCode: StatusCodes.Status202Accepted);

        var result = Problems.WithHeader(chosen, "x-delivery-id", "d1");

        Assert.Equal(StatusCodes.Status202Accepted, result.StatusCode);
    }
}
