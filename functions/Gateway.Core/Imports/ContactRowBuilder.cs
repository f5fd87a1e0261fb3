using System.Globalization;
using System.Net.Mail;
using System.Text.Json.Nodes;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Imports;

/// <summary>
/// Turns one record's already-extracted values into operations, the same way for CSV and JSON, and notices
/// phone numbers the file has already used.
/// </summary>
internal sealed class ContactRowBuilder(ImportOptions options)
{
    // A normalised number is at most 15 digits without a leading 0, so it fits a ulong exactly: 8 bytes of key
    // instead of a string per row. The set is the only state that grows with the file (see docs/imports.md).
    private readonly HashSet<ulong> _seenPhoneNumbers = [];

    public ImportRowResult Build(int line, string? phoneNumber, JsonObject attributes, string? staffEmail)
    {
        if (!PhoneNumber.TryParse(phoneNumber, options.DefaultCountryCode, out var phone, out var phoneError))
        {
            return new ImportRowError(line, "phone_number", phoneError);
        }

        var email = string.IsNullOrWhiteSpace(staffEmail) ? null : staffEmail.Trim();
        if (email is not null && !IsEmailAddress(email))
        {
            return new ImportRowError(line, "staff_email", $"'{email}' is not an email address; staff are assigned by the email they sign in to Libromi with.");
        }

        // Libromi creates the contact on an attribute update too, so EnsureContact is only for rows that carry nothing else to write.
        List<OperationStep> steps = attributes.Count > 0
            ? [OperationStep.UpdateAttributes(attributes)]
            : [OperationStep.EnsureContact()];
        if (email is not null)
        {
            // After the upsert: Libromi assigns staff to an existing contact's conversation.
            steps.Add(OperationStep.AssignStaff(email));
        }

        var isDuplicate = !_seenPhoneNumbers.Add(ulong.Parse(phone.Value.Digits, NumberStyles.None, CultureInfo.InvariantCulture));
        return new ImportRow(line, new ContactOperations(phone.Value, steps), isDuplicate);
    }

    private static bool IsEmailAddress(string value) =>
        MailAddress.TryCreate(value, out var address)
        && address.Address == value
        && address.DisplayName.Length == 0
        && address.Host.Contains('.', StringComparison.Ordinal)
        && !value.Any(char.IsWhiteSpace);
}
