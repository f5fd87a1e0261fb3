using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using nietras.SeparatedValues;

namespace Libromi.Gateway.Imports;

/// <summary>
/// Reads Libromi's import CSV (<c>name,phone_number,group</c>, every other column an attribute, optional
/// <c>staff_email</c>) record by record.
/// </summary>
/// <remarks>
/// Parser: Sep rather than CsvHelper. Both stream from a <see cref="TextReader"/> asynchronously and handle
/// RFC 4180 quoting; Sep additionally reports each record's physical start line (<c>Row.LineNumberFrom</c>),
/// which row errors must cite even after quoted newlines, and parses into a reused buffer without allocating
/// per field, so a 50 MB file costs little more than the strings that end up in operations. CsvHelper would
/// need its raw-row counter tracked by hand to get the start line, and its strength (mapping to classes) is
/// unused here: the columns are dynamic. Sep's own separator guess also considers tab, '|' and
/// others; the reader fixes the separator itself so the documented rule (',' or ';', from the header line)
/// does not depend on a library heuristic.
/// </remarks>
internal static class CsvContactFileReader
{
    // Excel's plain "CSV" saves in the machine's code page; refusing invalid UTF-8 beats importing mojibake.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // The header line of a real file is well under 1 KB; past this the separator is guessed from what was seen.
    private const int MaxHeaderScanBytes = 64 * 1024;

    public static async IAsyncEnumerable<ImportRowResult> ReadAsync(ImportBodyStream body, ImportOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var separator = await DetectSeparatorAsync(body, cancellationToken).ConfigureAwait(false)
            ?? throw new ImportFileException(ImportFileErrorCodes.EmptyFile, "The file is empty; it needs a header line (name,phone_number,group) and at least one row.");

        using var text = new StreamReader(new CsvRecordLimitStream(body, options.MaxRecordBytes), StrictUtf8, detectEncodingFromByteOrderMarks: true, bufferSize: 16 * 1024, leaveOpen: true);
        var readerOptions = Sep.Reader(o => o with
        {
            Sep = new Sep(separator),
            // The header is read as a row: Sep's header refuses duplicate names (blank ones included) with a
            // bare ArgumentException, and names here are matched case-insensitively and trimmed anyway.
            HasHeader = false,
            Unescape = true,
            // A short or long row is a row error with its line, not the end of the file.
            DisableColCountCheck = true,
        });

        var lastLine = 0;
        SepReader? reader = null;
        try
        {
            CsvColumns? columns = null;
            var builder = new ContactRowBuilder(options);
            var dataRows = 0;
            try
            {
                reader = await readerOptions.FromAsync(text, cancellationToken).ConfigureAwait(false);
            }
            catch (DecoderFallbackException)
            {
                throw InvalidEncoding(lastLine);
            }

            while (true)
            {
                ImportRowResult? result;
                try
                {
                    if (!await reader.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }
                    lastLine = reader.Current.LineNumberToExcl - 1;
                    if (IsBlank(reader.Current))
                    {
                        continue;
                    }
                    if (columns is null)
                    {
                        columns = CsvColumns.FromHeader(reader.Current, separator, options);
                        continue;
                    }
                    result = MapRow(reader.Current, columns, separator, builder);
                }
                catch (DecoderFallbackException)
                {
                    throw InvalidEncoding(lastLine);
                }
                dataRows++;
                yield return result;
            }

            if (columns is null)
            {
                throw new ImportFileException(ImportFileErrorCodes.EmptyFile, "The file is empty; it needs a header line (name,phone_number,group) and at least one row.");
            }
            if (dataRows == 0)
            {
                throw new ImportFileException(ImportFileErrorCodes.NoDataRows, "The file has a header but no rows to import.", columns.HeaderLine);
            }
        }
        finally
        {
            reader?.Dispose();
        }
    }

    private static ImportRowResult MapRow(SepReader.Row row, CsvColumns columns, char separator, ContactRowBuilder builder)
    {
        var line = StartLine(row);
        if (row.ColCount != columns.Count)
        {
            var spansLines = row.LineNumberToExcl - row.LineNumberFrom > 1;
            var hint = spansLines
                ? $" The record runs from line {line} to line {row.LineNumberToExcl - 1}; look for a quote that is not closed."
                : $" A value that contains '{separator}' must be in double quotes.";
            return new ImportRowError(line, ImportRowError.WholeRow, $"The row has {row.ColCount} columns; the header has {columns.Count}.{hint}");
        }

        var attributes = new JsonObject();
        foreach (var (index, attribute) in columns.Attributes)
        {
            // An empty cell is "leave unchanged": sending "" would remove the attribute at Libromi.
            var value = row[index].Span.Trim();
            if (!value.IsEmpty)
            {
                attributes[attribute] = value.ToString();
            }
        }

        var staffEmail = columns.StaffEmail is { } staff ? row[staff].ToString() : null;
        return builder.Build(line, row[columns.PhoneNumber].ToString(), attributes, staffEmail);
    }

    /// <summary>The physical line a record starts on (1-based).</summary>
    /// <remarks>
    /// Sep 0.17 reports the first row's <c>LineNumberFrom</c> as its end line when <c>HasHeader</c> is off;
    /// the first row of a file starts on line 1 by definition, and later rows are reported correctly.
    /// </remarks>
    internal static int StartLine(SepReader.Row row) => row.RowIndex == 0 ? 1 : row.LineNumberFrom;

    // Spreadsheets leave blank lines and rows of bare separators behind; they are not records.
    private static bool IsBlank(SepReader.Row row)
    {
        for (var i = 0; i < row.ColCount; i++)
        {
            if (!row[i].Span.IsWhiteSpace())
            {
                return false;
            }
        }
        return true;
    }

    private static ImportFileException InvalidEncoding(int lastGoodLine) => new(
        ImportFileErrorCodes.InvalidEncoding,
        $"The file is not valid UTF-8 (after line {lastGoodLine}). In Excel, save it as \"CSV UTF-8\".",
        lastGoodLine + 1);

    /// <summary>
    /// The delimiter is whichever of ',' and ';' occurs more often, outside quotes, in the first non-blank line
    /// (Excel writes ';' where the decimal separator is ','); a one-column file gets ','.
    /// Returns null when the file has no content at all.
    /// </summary>
    private static async ValueTask<char?> DetectSeparatorAsync(ImportBodyStream body, CancellationToken cancellationToken)
    {
        for (var size = 4 * 1024; ; size *= 4)
        {
            var head = await body.PeekAsync(size, cancellationToken).ConfigureAwait(false);
            var scan = ScanHeaderLine(head.Span);
            var reachedEnd = head.Length < size;
            if (scan.LineComplete || reachedEnd || size >= MaxHeaderScanBytes)
            {
                return scan.HasContent ? (scan.Semicolons > scan.Commas ? ';' : ',') : null;
            }
        }
    }

    private static (bool HasContent, bool LineComplete, int Commas, int Semicolons) ScanHeaderLine(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }
        bool hasContent = false, inQuotes = false;
        int commas = 0, semicolons = 0;
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'"':
                    inQuotes = !inQuotes;
                    hasContent = true;
                    break;
                case (byte)'\r' or (byte)'\n' when !inQuotes:
                    if (hasContent)
                    {
                        return (true, true, commas, semicolons);
                    }
                    break;
                case (byte)',' when !inQuotes:
                    commas++;
                    hasContent = true;
                    break;
                case (byte)';' when !inQuotes:
                    semicolons++;
                    hasContent = true;
                    break;
                case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                    break;
                default:
                    hasContent = true;
                    break;
            }
        }
        return (hasContent, false, commas, semicolons);
    }
}
