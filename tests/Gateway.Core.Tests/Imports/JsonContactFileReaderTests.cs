using System.Text.Json.Nodes;
using Libromi.Gateway.Imports;
using Libromi.Gateway.Operations;
using static Libromi.Gateway.Tests.Imports.ImportReading;

namespace Libromi.Gateway.Tests.Imports;

public sealed class JsonContactFileReaderTests
{
    [Fact]
    public async Task Array_elements_become_operations_like_csv_rows()
    {
        const string file = """
            [
              {"phone_number": "+44 7700 900123", "name": "Alice", "group": "VIP", "staff_email": "agent@example.com"},
              {"phone_number": "15551234567"},
              {"phone_number": "4930123456", "name": "", "group": null, "attributes": {}, "staff_email": null}
            ]
            """;

        var results = await ReadJsonAsync(file);

        var alice = Assert.IsType<ImportRow>(results[0]);
        Assert.Equal((1, "447700900123"), (alice.Line, alice.Operations.PhoneNumber.Digits));
        Assert.Equal([OperationKind.UpdateAttributes, OperationKind.AssignStaff], alice.Operations.Steps.Select(s => s.Kind));
        Assert.Equal("""{"name":"Alice","group":"VIP"}""", alice.Operations.Steps[0].Attributes!.ToJsonString());
        Assert.Equal("agent@example.com", alice.Operations.Steps[1].StaffEmail);

        foreach (var (result, line) in results.Skip(1).Zip([2, 3]))
        {
            var row = Assert.IsType<ImportRow>(result);
            Assert.Equal(line, row.Line);
            Assert.Equal([OperationKind.EnsureContact], row.Operations.Steps.Select(s => s.Kind));
        }
    }

    [Fact]
    public async Task Attribute_values_pass_through_with_null_meaning_remove()
    {
        const string file = """
            [{"phone_number": "447700900123", "name": "Alice",
              "attributes": {"city": "Leeds", "orders": 3, "balance": 1.50, "vip": true, "tags": ["a", "b"], "old_field": null}}]
            """;

        var results = await ReadJsonAsync(file, new ImportOptions { NameAttribute = "full_name" });

        var step = Assert.Single(Assert.IsType<ImportRow>(Assert.Single(results)).Operations.Steps);
        Assert.Equal(OperationKind.UpdateAttributes, step.Kind);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"city":"Leeds","orders":3,"balance":1.50,"vip":true,"tags":["a","b"],"old_field":null,"full_name":"Alice"}"""),
            step.Attributes));
        Assert.Contains("\"balance\":1.50", step.Attributes!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Element_that_is_not_an_object_is_a_row_error_and_reading_goes_on()
    {
        var results = await ReadJsonAsync("""[{"phone_number": "447700900123"}, "15551234567", null, [1], {"phone_number": "4930123456"}]""");

        Assert.Equal([1, 2, 3, 4, 5], results.Select(r => r.Line));
        Assert.IsType<ImportRow>(results[0]);
        foreach (var result in results.Skip(1).Take(3))
        {
            var error = Assert.IsType<ImportRowError>(result);
            Assert.Equal(ImportRowError.WholeRow, error.Field);
            Assert.Contains("must be an object", error.Message, StringComparison.Ordinal);
        }
        Assert.IsType<ImportRow>(results[4]);
    }

    [Theory]
    [InlineData("""{"phone_number": 447700900123}""", "phone_number")]
    [InlineData("""{"phone_number": "447700900123", "name": 5}""", "name")]
    [InlineData("""{"phone_number": "447700900123", "staff_email": ["a@example.com"]}""", "staff_email")]
    [InlineData("""{"phone_number": "447700900123", "attributes": ["city"]}""", "attributes")]
    [InlineData("""{"phone_number": "447700900123", "attributes": {"address": {"city": "Leeds"}}}""", "attributes.address")]
    [InlineData("""{"phone_number": "447700900123", "attributes": {"tags": ["a", 2]}}""", "attributes.tags")]
    [InlineData("""{"phone_number": "447700900123", "attributes": {"": "x"}}""", "attributes")]
    [InlineData("""{"name": "Alice"}""", "phone_number")]
    [InlineData("""{"phone_number": "447700900123", "phone_number": "447700900124"}""", "phone_number")]
    [InlineData("""{"phone_number": "447700900123", "attributes": {"city": "Leeds", "city": "York"}}""", "attributes.city")]
    [InlineData("""{"phone_number": "447700900123", "staff_email": "not-an-email"}""", "staff_email")]
    public async Task Wrong_types_and_invalid_values_are_row_errors_naming_the_field(string element, string field)
    {
        var results = await ReadJsonAsync($"[{{\"phone_number\": \"15551234567\"}}, {element}]");

        var error = Assert.IsType<ImportRowError>(results[1]);
        Assert.Equal((2, field), (error.Line, error.Field));
    }

    [Fact]
    public async Task Top_level_name_and_group_win_over_the_same_attributes()
    {
        var results = await ReadJsonAsync("""[{"phone_number": "447700900123", "name": "Alice", "attributes": {"name": "Old", "group": "Kept"}}]""");

        var step = Assert.Single(Assert.IsType<ImportRow>(Assert.Single(results)).Operations.Steps);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name":"Alice","group":"Kept"}"""), step.Attributes));
    }

    [Fact]
    public async Task Unknown_properties_are_ignored()
    {
        var results = await ReadJsonAsync("""[{"id": 17, "phone_number": "447700900123", "created_at": "2025-01-01"}]""");

        Assert.Equal([OperationKind.EnsureContact], Assert.IsType<ImportRow>(Assert.Single(results)).Operations.Steps.Select(s => s.Kind));
    }

    [Fact]
    public async Task Duplicate_phone_numbers_are_flagged()
    {
        var results = await ReadJsonAsync("""[{"phone_number": "+44 7700 900123"}, {"phone_number": "447700900123", "name": "Later"}]""");

        Assert.Equal([false, true], results.Cast<ImportRow>().Select(r => r.IsDuplicate));
    }

    [Theory]
    [InlineData("""{"phone_number": "447700900123"}""", "'{'")]
    [InlineData("  \"447700900123\"", "'\"'")]
    [InlineData("phone_number\n447700900123", "'p'")]
    public async Task Json_that_is_not_an_array_is_refused(string content, string startsWith)
    {
        var error = await Assert.ThrowsAsync<ImportFileException>(() => ReadJsonAsync(content));

        Assert.Equal(ImportFileErrorCodes.NotAJsonArray, error.Code);
        Assert.Contains(startsWith, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", ImportFileErrorCodes.EmptyFile)]
    [InlineData(" \r\n ", ImportFileErrorCodes.EmptyFile)]
    [InlineData("[]", ImportFileErrorCodes.NoDataRows)]
    [InlineData("\uFEFF [ ]", ImportFileErrorCodes.NoDataRows)]
    public async Task Empty_file_or_array_is_refused(string content, string code)
    {
        var error = await Assert.ThrowsAsync<ImportFileException>(() => ReadJsonAsync(content));

        Assert.Equal(code, error.Code);
    }

    [Fact]
    public async Task Malformed_json_ends_the_file_at_the_element_it_is_in()
    {
        var rows = new List<ImportRowResult>();
        using var body = new MemoryStream("""[{"phone_number": "447700900123"}, {"phone_number": "15551234567"}, {"phone_number": 4930"""u8.ToArray());

        var error = await Assert.ThrowsAsync<ImportFileException>(async () =>
        {
            await foreach (var row in ContactFileReader.ReadAsync(body, ImportFormat.Json, new ImportOptions()))
            {
                rows.Add(row);
            }
        });

        Assert.Equal((ImportFileErrorCodes.MalformedJson, 3), (error.Code, error.Line));
        Assert.Equal([1, 2], rows.Select(r => r.Line));
    }
}
