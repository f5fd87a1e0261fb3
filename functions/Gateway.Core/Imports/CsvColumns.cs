using nietras.SeparatedValues;

namespace Libromi.Gateway.Imports;

/// <summary>What each column of an import CSV means, decided once from its header line.</summary>
internal sealed class CsvColumns
{
    public const string PhoneNumberColumn = "phone_number";
    public const string NameColumn = "name";
    public const string GroupColumn = "group";
    public const string StaffEmailColumn = "staff_email";

    private CsvColumns(int headerLine, int count, int phoneNumber, int? staffEmail, IReadOnlyList<(int Index, string Attribute)> attributes)
    {
        HeaderLine = headerLine;
        Count = count;
        PhoneNumber = phoneNumber;
        StaffEmail = staffEmail;
        Attributes = attributes;
    }

    public int HeaderLine { get; }
    public int Count { get; }
    public int PhoneNumber { get; }
    public int? StaffEmail { get; }

    /// <summary>Columns sent as Libromi attributes (name and group included, under their configured names).</summary>
    public IReadOnlyList<(int Index, string Attribute)> Attributes { get; }

    public static CsvColumns FromHeader(SepReader.Row header, char separator, ImportOptions options)
    {
        var line = CsvContactFileReader.StartLine(header);
        int? phoneNumber = null, staffEmail = null;
        var attributes = new List<(int, string)>();
        // Attribute names are compared case-insensitively: "City" and "city" in one file is a mistake, not two attributes.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new List<string>(header.ColCount);

        for (var i = 0; i < header.ColCount; i++)
        {
            var name = header[i].Span.Trim().ToString();
            names.Add(name);
            if (name.Length == 0)
            {
                // Spreadsheets export trailing empty columns; a column without a name has nowhere to go.
                continue;
            }

            var lower = name.ToLowerInvariant();
            var key = lower switch
            {
                NameColumn => options.NameAttribute,
                GroupColumn => options.GroupAttribute,
                PhoneNumberColumn or StaffEmailColumn => lower,
                _ => name,
            };
            if (!seen.Add(key))
            {
                throw new ImportFileException(
                    ImportFileErrorCodes.DuplicateColumn,
                    $"The header (line {line}) has the column '{name}' twice (as '{key}'); each column may appear once.",
                    line);
            }

            switch (lower)
            {
                case PhoneNumberColumn:
                    phoneNumber = i;
                    break;
                case StaffEmailColumn:
                    staffEmail = i;
                    break;
                default:
                    attributes.Add((i, key));
                    break;
            }
        }

        if (phoneNumber is null)
        {
            var hint = names.Count == 1 && (names[0].Contains('\t', StringComparison.Ordinal) || names[0].Contains('|', StringComparison.Ordinal))
                ? " Columns must be separated by ',' or ';'."
                : $" Libromi's import template starts with name{separator}phone_number{separator}group.";
            throw new ImportFileException(
                ImportFileErrorCodes.MissingPhoneNumberColumn,
                $"The header (line {line}) has no phone_number column; found: {string.Join(", ", names.Select(n => $"'{n}'"))}.{hint}",
                line);
        }

        return new CsvColumns(line, header.ColCount, phoneNumber.Value, staffEmail, attributes);
    }
}
