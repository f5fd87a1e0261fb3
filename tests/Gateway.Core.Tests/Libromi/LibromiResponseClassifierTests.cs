using System.Net;
using System.Net.Http.Headers;
using Libromi.Gateway.Libromi;

namespace Libromi.Gateway.Tests.Libromi;

public sealed class LibromiResponseClassifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(204)]
    public void Success_statuses_are_delivered(int status) =>
        Assert.IsType<LibromiOutcome.Delivered>(Classify(status, """{"status":"SUCCESS"}"""));

    [Fact]
    public void Rate_limited_answer_prefers_the_retry_after_header_over_the_body()
    {
        using var response = new HttpResponseMessage((HttpStatusCode)429);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(12));

        var outcome = LibromiResponseClassifier.Classify(response.StatusCode, response.Headers, """{"retry_after_seconds": 40}""", Now);

        Assert.Equal(TimeSpan.FromSeconds(12), Assert.IsType<LibromiOutcome.RateLimited>(outcome).RetryAfter);
    }

    [Fact]
    public void Rate_limited_answer_uses_an_http_date_retry_after_header()
    {
        using var response = new HttpResponseMessage((HttpStatusCode)429);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddSeconds(90));

        var outcome = LibromiResponseClassifier.Classify(response.StatusCode, response.Headers, null, Now);

        Assert.Equal(TimeSpan.FromSeconds(90), Assert.IsType<LibromiOutcome.RateLimited>(outcome).RetryAfter);
    }

    [Theory]
    [InlineData("""{"message":"Too Many Attempts.","retry_after_seconds": 40}""", 40.0)]
    [InlineData("""{"retry_after_seconds": "7"}""", 7.0)]
    [InlineData("""{"message":"Too Many Attempts."}""", null)]
    [InlineData("<html><body>Too many requests</body></html>", null)]
    [InlineData("""{"retry_after_seconds": -3}""", null)]
    [InlineData("", null)]
    public void Rate_limited_answer_falls_back_to_the_body_hint_or_none(string body, double? expectedSeconds)
    {
        var outcome = Assert.IsType<LibromiOutcome.RateLimited>(Classify(429, body));

        Assert.Equal(expectedSeconds is null ? null : TimeSpan.FromSeconds(expectedSeconds.Value), outcome.RetryAfter);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(408)]
    public void Server_errors_and_timeouts_are_transient(int status) =>
        Assert.IsType<LibromiOutcome.Transient>(Classify(status, "<html>Bad gateway</html>"));

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public void Unauthenticated_and_forbidden_are_auth_faults_not_message_faults(int status) =>
        Assert.IsType<LibromiOutcome.AuthFault>(Classify(status, """{"message":"Unauthenticated."}"""));

    [Fact]
    public void Validation_failure_is_rejected_with_libromis_field_errors()
    {
        var outcome = Assert.IsType<LibromiOutcome.Rejected>(Classify(422,
            """{"status":"FAILED","message":"Validation failed","errors":{"age":["The age must be a number."],"email":["The email must be a valid email address."]}}"""));

        Assert.Contains("Validation failed", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(["The age must be a number."], outcome.FieldErrors!["age"]);
        Assert.Equal(422, outcome.StatusCode);
    }

    [Theory]
    [InlineData(404, """{"status":"failed","message":"Staff not found"}""", "Staff not found")]
    [InlineData(404, """{"status":"FAILED","message":"Contact not found"}""", "Contact not found")]
    [InlineData(400, "<html><h1>Bad Request</h1></html>", "Libromi answered 400.")]
    public void Client_errors_are_permanent_rejections_with_the_reason(int status, string body, string expectedReason)
    {
        var outcome = Assert.IsType<LibromiOutcome.Rejected>(Classify(status, body));

        Assert.Contains(expectedReason, outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(body, outcome.ResponseBody);
    }

    [Fact]
    public void Huge_error_bodies_are_truncated_for_dead_letter_records()
    {
        var outcome = Classify(500, new string('x', 10_000));

        Assert.True(outcome.ResponseBody!.Length <= 2_001);
    }

    private static LibromiOutcome Classify(int status, string? body)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        return LibromiResponseClassifier.Classify(response.StatusCode, response.Headers, body, Now);
    }
}
