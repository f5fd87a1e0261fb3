namespace Libromi.Gateway.Imports;

/// <summary>
/// Turns an uploaded contact file into validated rows, one record at a time, without holding the file:
/// memory stays flat whatever its size (apart from the duplicate set, see docs/imports.md).
/// </summary>
public static class ContactFileReader
{
    /// <summary>
    /// Reads <paramref name="body"/> as <paramref name="format"/>. Each record yields one
    /// <see cref="ImportRow"/> or <see cref="ImportRowError"/>, in file order; blank CSV lines yield nothing.
    /// Problems with the file as a whole throw <see cref="ImportFileException"/>, possibly after rows were
    /// yielded (size limit, malformed JSON or encoding deep in the file). <paramref name="body"/> is read
    /// forward only, never seeked, and not disposed.
    /// </summary>
    public static IAsyncEnumerable<ImportRowResult> ReadAsync(Stream body, ImportFormat format, ImportOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxFileBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxRecordBytes);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.NameAttribute);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.GroupAttribute);

        var limited = new ImportBodyStream(body, options.MaxFileBytes);
        return format switch
        {
            ImportFormat.Csv => CsvContactFileReader.ReadAsync(limited, options, cancellationToken),
            ImportFormat.Json => JsonContactFileReader.ReadAsync(limited, options, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown import format."),
        };
    }
}
