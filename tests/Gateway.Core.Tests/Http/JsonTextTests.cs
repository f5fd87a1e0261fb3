using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.Http;

namespace Libromi.Gateway.Tests.Http;

public sealed class JsonTextTests
{
    [Theory]
    [InlineData("""{"a":1,"a":2}""", "'a'")]
    [InlineData("""{"outer":{"city":"Leeds","city":"York"}}""", "'city'")]
    [InlineData("""[{"phone":"1"},{"phone":"2","phone":"3"}]""", "'phone'")]
    public void A_property_named_twice_in_one_object_is_refused_and_named(string json, string named)
    {
        Assert.False(JsonText.TryParse(Encoding.UTF8.GetBytes(json), 64, out var node, out var error));
        Assert.Null(node);
        Assert.Contains("appears twice", error);
        Assert.Contains(named, error);
    }

    [Fact]
    public void The_same_name_in_sibling_objects_is_not_a_duplicate()
    {
        Assert.True(JsonText.TryParse("""[{"phone":"1"},{"phone":"2"}]"""u8, 64, out var node, out _));
        Assert.Equal(2, Assert.IsType<JsonArray>(node).Count);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    public void Invalid_UTF8_in_a_name_or_a_value_is_refused(byte[] invalid)
    {
        byte[] inValue = [.. "{\"a\":\"x"u8, .. invalid, .. "\"}"u8];
        byte[] inName = [.. "{\"a"u8, .. invalid, .. "\":1}"u8];

        Assert.False(JsonText.TryParse(inValue, 64, out _, out var valueError));
        Assert.False(JsonText.TryParse(inName, 64, out _, out var nameError));
        Assert.Contains("not valid UTF-8", valueError);
        Assert.Contains("not valid UTF-8", nameError);
    }

    [Fact]
    public void A_lone_surrogate_escape_is_refused()
    {
        Assert.False(JsonText.TryParse("""{"a":"A\ud800"}"""u8, 64, out _, out var error));
        Assert.Contains("not valid UTF-8", error);
    }

    [Fact]
    public void Nesting_past_the_depth_limit_is_refused()
    {
        Assert.False(JsonText.TryParse(Encoding.UTF8.GetBytes(new string('[', 20) + new string(']', 20)), 16, out _, out var error));
        Assert.Contains("depth", error, StringComparison.OrdinalIgnoreCase);
    }
}
