using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Imports;

/// <summary>
/// What one record of an import file became. Self-contained and small, so a caller can stage results
/// (strict mode) or enqueue them one by one without keeping the file.
/// </summary>
/// <param name="Line">CSV: the physical line the record starts on (the header is line 1). JSON: the element's index + 1.</param>
public abstract record ImportRowResult(int Line);

/// <summary>A valid record and the Libromi operations it asks for, in order.</summary>
/// <param name="IsDuplicate">
/// An earlier record of the same file has the same phone number. The row is still delivered, in file order,
/// so the later values win at Libromi; the flag only lets the caller count and report duplicates.
/// </param>
public sealed record ImportRow(int Line, ContactOperations Operations, bool IsDuplicate = false) : ImportRowResult(Line);

/// <summary>A record that cannot be imported; the first problem found in it.</summary>
/// <param name="Field">The column or JSON property at fault (<c>phone_number</c>, <c>staff_email</c>, <c>attributes.city</c>), or <c>row</c> for the record as a whole.</param>
public sealed record ImportRowError(int Line, string Field, string Message) : ImportRowResult(Line)
{
    public const string WholeRow = "row";
}
