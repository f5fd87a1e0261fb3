using System.Text.Encodings.Web;
using System.Text.Json;
using Libromi.Gateway.Imports;
using Libromi.Gateway.Operations;
using static Libromi.Gateway.Tests.Imports.ImportReading;

namespace Libromi.Gateway.Tests.Imports;

public sealed class CsvContactFileReaderTests
{
    [Fact]
    public async Task Libromi_template_file_becomes_one_attribute_update_per_row()
    {
        var results = await ReadCsvAsync("name,phone_number,group\nAlice Smith,+44 7700 900123,VIP\nBob,15551234567,Leads\n");

        Assert.Collection(results,
            r => AssertUpdate(r, 2, "447700900123", """{"name":"Alice Smith","group":"VIP"}"""),
            r => AssertUpdate(r, 3, "15551234567", """{"name":"Bob","group":"Leads"}"""));
    }

    [Fact]
    public async Task Extra_columns_become_attributes_and_empty_cells_are_not_sent()
    {
        var results = await ReadCsvAsync("name,phone_number,group,city,plan\nBob,15551234567,,Austin,\n");

        AssertUpdate(Assert.Single(results), 2, "15551234567", """{"name":"Bob","city":"Austin"}""");
    }

    [Fact]
    public async Task Row_with_only_a_phone_number_ensures_the_contact()
    {
        var results = await ReadCsvAsync("name,phone_number,group\n,+1 555 123 4567,\n");

        var row = Assert.IsType<ImportRow>(Assert.Single(results));
        Assert.Equal([OperationKind.EnsureContact], row.Operations.Steps.Select(s => s.Kind));
    }

    [Fact]
    public async Task Staff_email_column_adds_an_assignment_after_the_upsert()
    {
        var results = await ReadCsvAsync("name,phone_number,staff_email\nAlice,447700900123,agent@example.com\n,15551234567, agent@example.com \nCarol,4930123456,\n");

        var withAttributes = Assert.IsType<ImportRow>(results[0]);
        Assert.Equal([OperationKind.UpdateAttributes, OperationKind.AssignStaff], withAttributes.Operations.Steps.Select(s => s.Kind));
        Assert.Equal("agent@example.com", withAttributes.Operations.Steps[1].StaffEmail);
        Assert.Equal("""{"name":"Alice"}""", withAttributes.Operations.Steps[0].Attributes!.ToJsonString());

        var phoneOnly = Assert.IsType<ImportRow>(results[1]);
        Assert.Equal([OperationKind.EnsureContact, OperationKind.AssignStaff], phoneOnly.Operations.Steps.Select(s => s.Kind));
        Assert.Equal("agent@example.com", phoneOnly.Operations.Steps[1].StaffEmail);

        var noStaff = Assert.IsType<ImportRow>(results[2]);
        Assert.Equal([OperationKind.UpdateAttributes], noStaff.Operations.Steps.Select(s => s.Kind));
    }

    [Fact]
    public async Task Header_names_are_matched_case_insensitively_and_trimmed()
    {
        var results = await ReadCsvAsync(" Name ,PHONE_NUMBER, Group ,  City \nAlice,447700900123,VIP,Leeds\n");

        AssertUpdate(Assert.Single(results), 2, "447700900123", """{"name":"Alice","group":"VIP","City":"Leeds"}""");
    }

    [Fact]
    public async Task Name_and_group_go_to_the_configured_attributes()
    {
        var options = new ImportOptions { NameAttribute = "full_name", GroupAttribute = "segment" };

        var results = await ReadCsvAsync("name,phone_number,group\nAlice,447700900123,VIP\n", options);

        AssertUpdate(Assert.Single(results), 2, "447700900123", """{"full_name":"Alice","segment":"VIP"}""");
    }

    [Fact]
    public async Task Semicolon_delimited_file_with_bom_is_read()
    {
        var results = await ReadCsvAsync("name;phone_number;group\r\n\"Doe, Jane\";+49 30 123456;B2B\r\nMax;4930654321;B2C\r\n", byteOrderMark: true);

        Assert.Collection(results,
            r => AssertUpdate(r, 2, "4930123456", """{"name":"Doe, Jane","group":"B2B"}"""),
            r => AssertUpdate(r, 3, "4930654321", """{"name":"Max","group":"B2C"}"""));
    }

    [Fact]
    public async Task Comma_delimited_file_with_bom_has_its_first_header_recognised()
    {
        var results = await ReadCsvAsync("phone_number,name\n447700900123,Alice\n", byteOrderMark: true);

        AssertUpdate(Assert.Single(results), 2, "447700900123", """{"name":"Alice"}""");
    }

    [Fact]
    public async Task Delimiter_is_the_one_that_separates_the_header_outside_quotes()
    {
        // Two commas inside the quoted header name must not outvote the one real semicolon.
        var results = await ReadCsvAsync("phone_number;\"City, Region, Country\"\n447700900123;\"Leeds, Yorkshire, UK\"\n");

        AssertUpdate(Assert.Single(results), 2, "447700900123", """{"City, Region, Country":"Leeds, Yorkshire, UK"}""");
    }

    [Fact]
    public async Task Quoted_commas_quotes_and_newlines_keep_later_line_numbers_right()
    {
        const string file =
            "name,phone_number,group,notes\n" +                           // line 1
            "\"Smith, Alice\",447700900123,VIP,\"Said \"\"hi\"\"\"\n" +   // line 2
            "Bob,15551234567,Leads,\"first line\n" +                      // line 3
            "second line\"\n" +                                           // line 4
            "Carol,not-a-phone,Leads,\n";                                 // line 5

        var results = await ReadCsvAsync(file);

        Assert.Collection(results,
            r => AssertUpdate(r, 2, "447700900123", """{"name":"Smith, Alice","group":"VIP","notes":"Said \"hi\""}"""),
            r => AssertUpdate(r, 3, "15551234567", """{"name":"Bob","group":"Leads","notes":"first line\nsecond line"}"""),
            r => Assert.Equal(new ImportRowError(5, "phone_number", ((ImportRowError)r).Message), r));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public async Task Line_endings_do_not_change_rows_or_line_numbers(string newline)
    {
        var file = string.Join(newline, "name,phone_number,group", "Alice,447700900123,VIP", "\"Bob", "Builder\",15551234567,", "Carol,123,") + newline;

        var results = await ReadCsvAsync(file);

        Assert.Collection(results,
            r => AssertUpdate(r, 2, "447700900123", """{"name":"Alice","group":"VIP"}"""),
            r => AssertUpdate(r, 3, "15551234567", $$"""{"name":"Bob{{(newline == "\n" ? "\\n" : "\\r\\n")}}Builder"}"""),
            r => Assert.Equal(5, Assert.IsType<ImportRowError>(r).Line));
    }

    [Fact]
    public async Task Last_row_without_a_line_break_is_read()
    {
        var results = await ReadCsvAsync("name,phone_number\r\nAlice,447700900123");

        AssertUpdate(Assert.Single(results), 2, "447700900123", """{"name":"Alice"}""");
    }

    [Fact]
    public async Task Blank_lines_are_skipped_and_line_numbers_count_them()
    {
        var results = await ReadCsvAsync("\nname,phone_number\n\nAlice,447700900123\n,\n\nBob,15551234567\n\n");

        Assert.Collection(results,
            r => Assert.Equal(4, Assert.IsType<ImportRow>(r).Line),
            r => Assert.Equal(7, Assert.IsType<ImportRow>(r).Line));
    }

    [Theory]
    [InlineData("12345", "7 to 15 digits")]
    [InlineData("+44 7700 900123 ext 5", "only digits")]
    [InlineData("07700 900123", "national format")]
    [InlineData("", "required")]
    public async Task Invalid_phone_is_a_row_error_and_reading_goes_on(string phone, string reason)
    {
        var results = await ReadCsvAsync($"name,phone_number\nAlice,{phone}\nBob,15551234567\n");

        var error = Assert.IsType<ImportRowError>(results[0]);
        Assert.Equal((2, "phone_number"), (error.Line, error.Field));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Equal(3, Assert.IsType<ImportRow>(results[1]).Line);
    }

    [Fact]
    public async Task Default_country_code_completes_national_numbers()
    {
        var results = await ReadCsvAsync("phone_number\n07700 900123\n", new ImportOptions { DefaultCountryCode = "44" });

        Assert.Equal("447700900123", Assert.IsType<ImportRow>(Assert.Single(results)).Operations.PhoneNumber.Digits);
    }

    [Theory]
    [InlineData("Alice,447700900123,VIP,extra", 4)]
    [InlineData("Alice,447700900123", 2)]
    public async Task Wrong_column_count_is_a_row_error(string row, int columns)
    {
        var results = await ReadCsvAsync($"name,phone_number,group\n{row}\nBob,15551234567,Leads\n");

        var error = Assert.IsType<ImportRowError>(results[0]);
        Assert.Equal((2, ImportRowError.WholeRow), (error.Line, error.Field));
        Assert.StartsWith($"The row has {columns} columns; the header has 3.", error.Message, StringComparison.Ordinal);
        Assert.IsType<ImportRow>(results[1]);
    }

    [Fact]
    public async Task Unclosed_quote_is_reported_at_the_line_where_the_record_starts()
    {
        var results = await ReadCsvAsync("name,phone_number\nAlice,447700900123\n\"Bob,15551234567\nCarol,4930123456\n");

        var error = Assert.IsType<ImportRowError>(results[1]);
        Assert.Equal(3, error.Line);
        Assert.Contains("quote that is not closed", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("agent")]
    [InlineData("agent@")]
    [InlineData("Agent Smith <agent@example.com>")]
    [InlineData("agent@example")]
    [InlineData("agent @example.com")]
    public async Task Invalid_staff_email_is_a_row_error(string email)
    {
        var results = await ReadCsvAsync($"phone_number,staff_email\n447700900123,\"{email}\"\n");

        var error = Assert.IsType<ImportRowError>(Assert.Single(results));
        Assert.Equal((2, "staff_email"), (error.Line, error.Field));
    }

    [Fact]
    public async Task Duplicate_phone_numbers_are_delivered_in_file_order_and_flagged()
    {
        var results = await ReadCsvAsync("name,phone_number\nAlice,+44 7700 900123\nBob,15551234567\nAlice Smith,447700900123\nAl,0044 7700 900123\n");

        var rows = results.Cast<ImportRow>().ToList();
        Assert.Equal([2, 3, 4, 5], rows.Select(r => r.Line));
        Assert.Equal([false, false, true, true], rows.Select(r => r.IsDuplicate));
        Assert.Equal("""{"name":"Alice Smith"}""", rows[2].Operations.Steps[0].Attributes!.ToJsonString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\r\n  \n")]
    [InlineData("\uFEFF")]
    public async Task Empty_file_is_refused(string content)
    {
        var error = await Assert.ThrowsAsync<ImportFileException>(() => ReadCsvAsync(content));

        Assert.Equal(ImportFileErrorCodes.EmptyFile, error.Code);
    }

    [Theory]
    [InlineData("name,phone_number,group")]
    [InlineData("name,phone_number,group\r\n")]
    [InlineData("name,phone_number,group\n\n,,\n")]
    public async Task Header_only_file_is_refused(string content)
    {
        var error = await Assert.ThrowsAsync<ImportFileException>(() => ReadCsvAsync(content));

        Assert.Equal(ImportFileErrorCodes.NoDataRows, error.Code);
    }

    [Theory]
    [InlineData("name,phone,group\nAlice,447700900123,VIP\n", 1, "'phone'")]
    [InlineData("\r\nname,phone,group\r\nAlice,447700900123,VIP\r\n", 2, "'phone'")]
    [InlineData("name\tphone_number\nAlice\t447700900123\n", 1, "separated by ',' or ';'")]
    public async Task File_without_a_phone_number_column_is_refused(string content, int headerLine, string hint)
    {
        var error = await Assert.ThrowsAsync<ImportFileException>(() => ReadCsvAsync(content));

        Assert.Equal(ImportFileErrorCodes.MissingPhoneNumberColumn, error.Code);
        Assert.Equal(headerLine, error.Line);
        Assert.Contains(hint, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name,phone_number,Name")]
    [InlineData("phone_number,City,city")]
    [InlineData("phone_number,Phone_Number")]
    public async Task Duplicate_column_is_refused(string header)
    {
        var error = await Assert.ThrowsAsync<ImportFileException>(() => ReadCsvAsync($"{header}\n447700900123,a,b\n"));

        Assert.Equal(ImportFileErrorCodes.DuplicateColumn, error.Code);
    }

    [Fact]
    public async Task Column_without_a_header_name_is_ignored()
    {
        var results = await ReadCsvAsync("name,phone_number,,\nAlice,447700900123,stray,\n");

        AssertUpdate(Assert.Single(results), 2, "447700900123", """{"name":"Alice"}""");
    }

    [Fact]
    public async Task File_that_is_not_utf8_is_refused()
    {
        // "José" as Excel's plain "CSV" writes it on Western European Windows (Windows-1252).
        byte[] content = [.. "name,phone_number\nAlice,447700900123\nJos"u8, 0xE9, .. ",15551234567\n"u8];

        var error = await Assert.ThrowsAsync<ImportFileException>(() => ReadAsync(content, ImportFormat.Csv));

        Assert.Equal(ImportFileErrorCodes.InvalidEncoding, error.Code);
    }

    // Compared as written, without the default encoder's \u0022 escapes.
    private static readonly JsonSerializerOptions ReadableJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static void AssertUpdate(ImportRowResult result, int line, string digits, string attributesJson)
    {
        var row = Assert.IsType<ImportRow>(result);
        Assert.Equal(line, row.Line);
        Assert.Equal(digits, row.Operations.PhoneNumber.Digits);
        var step = Assert.Single(row.Operations.Steps);
        Assert.Equal(OperationKind.UpdateAttributes, step.Kind);
        Assert.Equal(attributesJson, step.Attributes!.ToJsonString(ReadableJson));
    }
}
