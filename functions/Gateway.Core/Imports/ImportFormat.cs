using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;

namespace Libromi.Gateway.Imports;

/// <summary>The shapes of file <c>POST /api/imports</c> accepts.</summary>
public enum ImportFormat
{
    /// <summary>Libromi's own import CSV (<c>name,phone_number,group</c>) plus attribute columns.</summary>
    Csv,
    /// <summary>An array of <c>{phone_number, name, group, attributes, staff_email}</c>.</summary>
    Json,
}

public static class ImportFormats
{
    /// <summary>
    /// Picks the format from the request's <c>Content-Type</c>. A <c>charset</c> parameter is allowed but must be
    /// UTF-8, the only encoding the reader decodes (a UTF-16 file is still recognised by its byte order mark).
    /// </summary>
    public static bool TryFromContentType(string? contentType, out ImportFormat format, [NotNullWhen(false)] out string? error)
    {
        format = default;
        if (string.IsNullOrWhiteSpace(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || mediaType.MediaType is null)
        {
            error = "Send the file as the request body with Content-Type text/csv or application/json.";
            return false;
        }

        var charset = mediaType.CharSet?.Trim('"');
        if (charset is not null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            error = $"Import files must be UTF-8; the request declares charset={charset}.";
            return false;
        }

        switch (mediaType.MediaType.ToLowerInvariant())
        {
            case "text/csv" or "application/csv":
                format = ImportFormat.Csv;
                error = null;
                return true;
            case "application/json":
                format = ImportFormat.Json;
                error = null;
                return true;
            // Libromi's dashboard takes XLS/XLSX, so users will try them here.
            case "application/vnd.ms-excel" or "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                error = "Excel files are not accepted; save the sheet as CSV (UTF-8) and send it as text/csv.";
                return false;
            default:
                error = $"Content-Type {mediaType.MediaType} is not an import format; send the file as the request body with text/csv or application/json.";
                return false;
        }
    }

    /// <summary>As <see cref="TryFromContentType"/>, throwing <see cref="ImportFileErrorCodes.UnsupportedMediaType"/>.</summary>
    public static ImportFormat FromContentType(string? contentType) =>
        TryFromContentType(contentType, out var format, out var error)
            ? format
            : throw new ImportFileException(ImportFileErrorCodes.UnsupportedMediaType, error);
}
