namespace Libromi.Simulator.Contacts;

/// <summary>Libromi's server-side normalisation: every non-digit is stripped, so "+1-234-567-890" is "1234567890".</summary>
public static class PhoneDigits
{
    public static string Normalise(string? phoneNumber) =>
        phoneNumber is null ? string.Empty : string.Concat(phoneNumber.Where(char.IsAsciiDigit));
}
