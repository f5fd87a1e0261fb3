using System.Diagnostics.CodeAnalysis;

namespace Libromi.Gateway.Operations;

/// <summary>
/// A phone number in the form Libromi addresses contacts by: digits only, country code first.
/// Libromi strips every non-digit server-side, so normalising here lets the gateway dedupe,
/// merge and log by the same key Libromi uses.
/// </summary>
public readonly record struct PhoneNumber
{
    // E.164 allows at most 15 digits; 7 is the shortest national number plus country code seen in practice.
    public const int MinDigits = 7;
    public const int MaxDigits = 15;

    private PhoneNumber(string digits) => Digits = digits;

    public string Digits { get; }

    public override string ToString() => Digits;

    /// <summary>
    /// Normalises <paramref name="input"/>. A number written with a leading <c>+</c> or <c>00</c> is
    /// international; one with a single leading <c>0</c> (national trunk prefix) takes
    /// <paramref name="defaultCountryCode"/> when one is configured; anything else is taken as
    /// already starting with its country code, as Libromi's documentation requires.
    /// </summary>
    public static bool TryParse(string? input, string? defaultCountryCode, [NotNullWhen(true)] out PhoneNumber? phoneNumber, [NotNullWhen(false)] out string? error)
    {
        phoneNumber = null;
        if (string.IsNullOrWhiteSpace(input))
        {
            error = "A phone number is required.";
            return false;
        }

        var trimmed = input.Trim();
        Span<char> digits = stackalloc char[Math.Min(trimmed.Length, 64)];
        var count = 0;
        foreach (var c in trimmed)
        {
            if (char.IsAsciiDigit(c))
            {
                if (count == digits.Length)
                {
                    error = $"A phone number has at most {MaxDigits} digits.";
                    return false;
                }
                digits[count++] = c;
            }
            else if (!IsSeparator(c) && !(c == '+' && count == 0))
            {
                error = $"A phone number may contain only digits, spaces, '+', '-', '.', '/' and parentheses; found '{c}'.";
                return false;
            }
        }

        var value = new string(digits[..count]);
        var international = trimmed.StartsWith('+');
        if (!international && value.StartsWith("00", StringComparison.Ordinal))
        {
            value = value[2..];
            international = true;
        }
        else if (!international && value.StartsWith('0'))
        {
            if (string.IsNullOrEmpty(defaultCountryCode))
            {
                error = "The phone number is in national format (leading 0); write it with its country code, e.g. +44 7700 900123.";
                return false;
            }
            value = defaultCountryCode + value[1..];
        }

        if (value.StartsWith('0'))
        {
            error = "A country code never starts with 0.";
            return false;
        }
        if (value.Length is < MinDigits or > MaxDigits)
        {
            error = $"A phone number with its country code has {MinDigits} to {MaxDigits} digits; found {value.Length}.";
            return false;
        }

        phoneNumber = new PhoneNumber(value);
        error = null;
        return true;
    }

    public static PhoneNumber Parse(string input, string? defaultCountryCode = null) =>
        TryParse(input, defaultCountryCode, out var phoneNumber, out var error)
            ? phoneNumber.Value
            : throw new FormatException(error);

    private static bool IsSeparator(char c) => c is ' ' or '-' or '.' or '/' or '(' or ')' or '\u00A0';
}
