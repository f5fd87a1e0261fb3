using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Tests.Libromi;

public sealed class PhoneNumberTests
{
    [Theory]
    [InlineData("+1-234-567-890", null, "1234567890")]
    [InlineData("(123) 456-7890", null, "1234567890")]
    [InlineData("1234567890", null, "1234567890")]
    [InlineData("+44 7700 900123", null, "447700900123")]
    [InlineData("0044 7700 900123", null, "447700900123")]
    [InlineData("07700 900123", "44", "447700900123")]
    [InlineData("+91 98765 43210", null, "919876543210")]
    [InlineData("+1 (555) 123-4567", "44", "15551234567")]
    [InlineData(" 15551234567 ", null, "15551234567")]
    [InlineData("+49.30.1234567", null, "49301234567")]
    [InlineData("+33\u00A06 12 34 56 78", null, "33612345678")]
    public void Real_world_inputs_normalise_to_the_digits_Libromi_addresses(string input, string? defaultCountryCode, string expected)
    {
        Assert.True(PhoneNumber.TryParse(input, defaultCountryCode, out var phone, out var error), error);
        Assert.Equal(expected, phone.Value.Digits);
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("   ", "required")]
    [InlineData("07700 900123", "national format")]
    [InlineData("12345", "7 to 15 digits")]
    [InlineData("+1234567890123456", "7 to 15 digits")]
    [InlineData("+44 7700 900123 ext 5", "only digits")]
    [InlineData("44-7700-900-12a", "only digits")]
    [InlineData("+0 123 4567", "never starts with 0")]
    [InlineData("12+34567890", "only digits")]
    public void Invalid_inputs_are_refused_with_a_reason(string? input, string expectedReason)
    {
        Assert.False(PhoneNumber.TryParse(input, null, out _, out var error));
        Assert.Contains(expectedReason, error, StringComparison.Ordinal);
    }
}
