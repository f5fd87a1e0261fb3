using Libromi.Gateway.Trail;

namespace Libromi.Gateway.Tests.Trail;

public sealed class TrailRedactionTests
{
    [Fact]
    public void Answer_that_echoes_the_token_keeps_no_trace_of_it()
    {
        var answer = TrailRedaction.Answer("""{"error":"bad token tok-123","echo":"Bearer tok-123"}""", 1000, "tok-123");

        Assert.DoesNotContain("tok-123", answer, StringComparison.Ordinal);
        Assert.Contains(TrailRedaction.Redacted, answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"access_token":"abc123secret"}""")]
    [InlineData("""{"Authorization": "abc123secret"}""")]
    [InlineData("""{"api_key":"abc123secret","ok":true}""")]
    [InlineData("Authorization: Bearer abc123secret")]
    public void Credential_looking_fields_are_redacted_even_when_the_token_is_unknown(string body)
    {
        var answer = TrailRedaction.Answer(body, 1000, token: null);

        Assert.DoesNotContain("abc123secret", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_answer_is_cut_to_the_limit_and_marked()
    {
        var answer = TrailRedaction.Answer(new string('x', 50), 10, null);

        Assert.Equal(new string('x', 10) + "…", answer);
        Assert.Equal("""{"ok":true}""", TrailRedaction.Answer("""{"ok":true}""", 10_000, null));
    }
}
