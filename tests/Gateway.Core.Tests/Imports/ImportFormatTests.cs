using Libromi.Gateway.Imports;

namespace Libromi.Gateway.Tests.Imports;

public sealed class ImportFormatTests
{
    [Theory]
    [InlineData("text/csv", ImportFormat.Csv)]
    [InlineData("text/csv; charset=utf-8", ImportFormat.Csv)]
    [InlineData("Text/CSV; charset=\"UTF-8\"", ImportFormat.Csv)]
    [InlineData("application/csv", ImportFormat.Csv)]
    [InlineData("application/json", ImportFormat.Json)]
    [InlineData("application/json; charset=utf-8", ImportFormat.Json)]
    public void Content_type_selects_the_format(string contentType, ImportFormat expected)
    {
        Assert.Equal(expected, ImportFormats.FromContentType(contentType));
    }

    [Theory]
    [InlineData(null, "text/csv or application/json")]
    [InlineData("", "text/csv or application/json")]
    [InlineData("text/plain", "text/plain is not an import format")]
    [InlineData("multipart/form-data; boundary=x", "as the request body")]
    [InlineData("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "save the sheet as CSV")]
    [InlineData("text/csv; charset=windows-1252", "must be UTF-8")]
    public void Other_content_types_are_refused_with_the_reason(string? contentType, string reason)
    {
        var error = Assert.Throws<ImportFileException>(() => ImportFormats.FromContentType(contentType));

        Assert.Equal(ImportFileErrorCodes.UnsupportedMediaType, error.Code);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
