namespace Libromi.Gateway.Imports;

/// <summary>
/// The file as a whole cannot be imported (empty, no <c>phone_number</c> column, not a JSON array, too large,
/// not UTF-8, ...). The caller answers with a 4xx (413 for <see cref="ImportFileErrorCodes.FileTooLarge"/>,
/// 415 for <see cref="ImportFileErrorCodes.UnsupportedMediaType"/>, 400 otherwise) and enqueues nothing.
/// Thrown rather than returned because it ends the enumeration: no row after it can be trusted.
/// It may arrive after rows were already yielded (a size limit or a syntax error deep in the file),
/// so a caller that must accept a file whole stages rows until the enumeration completes.
/// </summary>
public sealed class ImportFileException(string code, string message, int? line = null) : Exception(message)
{
    /// <summary>One of <see cref="ImportFileErrorCodes"/>: stable, meant for clients to branch on.</summary>
    public string Code { get; } = code;

    /// <summary>The line (CSV) or element number (JSON) the problem was found at, when it has one.</summary>
    public int? Line { get; } = line;
}

/// <summary>Stable codes of <see cref="ImportFileException"/>; part of the external contract.</summary>
public static class ImportFileErrorCodes
{
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string FileTooLarge = "file_too_large";
    public const string EmptyFile = "empty_file";
    public const string NoDataRows = "no_data_rows";
    public const string MissingPhoneNumberColumn = "missing_phone_number_column";
    public const string DuplicateColumn = "duplicate_column";
    public const string InvalidEncoding = "invalid_encoding";
    public const string NotAJsonArray = "not_a_json_array";
    public const string MalformedJson = "malformed_json";
    public const string RecordTooLarge = "record_too_large";
    public const string UnreadableFile = "unreadable_file";
    public const string TooManyImports = "too_many_imports";
}
