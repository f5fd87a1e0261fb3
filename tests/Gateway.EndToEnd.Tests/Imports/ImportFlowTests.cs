using System.Net;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;

namespace Libromi.Gateway.EndToEnd.Imports;

/// <summary>Files travel from <c>POST /api/imports</c> through the bulk lane to the simulator, with progress in the imports table.</summary>
public sealed class ImportFlowTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        _gateway = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?> { ["Imports:RowsPerMessage"] = "3" });
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Libromi_template_csv_reaches_Libromi_with_attributes_staff_and_the_later_duplicate_winning()
    {
        var csv =
            "name,phone_number,group,city,staff_email\r\n" +
            $"\"Smith, Alice\",+44 7700 900101,VIP,Leeds,{SimulatorFixture.StaffEmail}\r\n" +
            "Bob,447700900102,Leads,,\r\n" +
            "Carol,not-a-number,Leads,York,\r\n" +
            "\r\n" +
            "Erin,447700900105,,,\r\n" +
            // Duplicates in one message (3 rows a message here) keep file order: the later row wins.
            "Dan,447700900104,Leads,Hull,\r\n" +
            "Dan Again,0044 7700 900104,,Bath,\r\n";

        using var response = await _gateway.PostFileAsync(csv, "text/csv; charset=utf-8", byteOrderMark: true);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.ReadJsonAsync();
        var location = response.Headers.Location!.ToString();
        Assert.Equal("/api/imports/" + accepted["import_id"]!.GetValue<string>(), location);
        Assert.Equal((5, 1, 1), (accepted["accepted"]!.GetValue<int>(), accepted["rejected"]!.GetValue<int>(), accepted["duplicates"]!.GetValue<int>()));
        Assert.Equal(4, accepted["row_errors"]![0]!["line"]!.GetValue<int>());
        Assert.Equal("phone_number", accepted["row_errors"]![0]!["field"]!.GetValue<string>());

        var progress = await _gateway.WaitForProgressAsync(location, ImportClient.IsFinished, "the import to finish");
        Assert.Equal("completed", progress["status"]!.GetValue<string>());
        Assert.Equal((5, 5, 0, 0), (progress["total"]!.GetValue<long>(), progress["delivered"]!.GetValue<long>(), progress["failed"]!.GetValue<long>(), progress["pending"]!.GetValue<long>()));
        Assert.NotNull(progress["finished_at"]);
        Assert.Equal(1, progress["rejected"]!.GetValue<int>());

        var alice = await fixture.Simulator.Inspector.GetContactAsync("447700900101");
        Assert.Equal("Smith, Alice", alice!.Attributes["name"].GetString());
        Assert.Equal("VIP", alice.Attributes["group"].GetString());
        Assert.Equal("Leeds", alice.Attributes["city"].GetString());
        Assert.Equal(SimulatorFixture.StaffEmail, alice.AssignedStaff);
        var bob = await fixture.Simulator.Inspector.GetContactAsync("447700900102");
        Assert.False(bob!.Attributes.ContainsKey("city"));
        var dan = await fixture.Simulator.Inspector.GetContactAsync("447700900104");
        Assert.Equal("Bath", dan!.Attributes["city"].GetString());
        Assert.Equal("Dan Again", dan.Attributes["name"].GetString());
        Assert.Equal("Leads", dan.Attributes["group"].GetString());
    }

    [Fact]
    public async Task Semicolon_csv_with_quoted_delimiters_imports_every_row()
    {
        var csv = "phone_number;name;notes\n447700900201;\"Lee; Ann\";\"says \"\"hi\"\"\"\n447700900202;Max;\n";

        using var response = await _gateway.PostFileAsync(csv);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await _gateway.WaitForProgressAsync(response.Headers.Location!.ToString(), p => p["status"]!.GetValue<string>() == "completed", "completion");
        var lee = await fixture.Simulator.Inspector.GetContactAsync("447700900201");
        Assert.Equal("Lee; Ann", lee!.Attributes["name"].GetString());
        Assert.Equal("says \"hi\"", lee.Attributes["notes"].GetString());
        Assert.NotNull(await fixture.Simulator.Inspector.GetContactAsync("447700900202"));
    }

    [Fact]
    public async Task Json_array_imports_and_rows_Libromi_refuses_are_listed_with_its_reason()
    {
        var json = """
            [
              {"phone_number": "447700900301", "name": "Ok", "attributes": {"age": 31}},
              {"phone_number": "447700900302", "staff_email": "nobody@company.test"},
              {"phone_number": "447700900303", "attributes": {"age": "not a number"}}
            ]
            """;

        using var response = await _gateway.PostFileAsync(json, "application/json");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var progress = await _gateway.WaitForProgressAsync(response.Headers.Location!.ToString(), ImportClient.IsFinished, "the import to finish");
        Assert.Equal("completed_with_failures", progress["status"]!.GetValue<string>());
        Assert.Equal((1, 2), (progress["delivered"]!.GetValue<long>(), progress["failed"]!.GetValue<long>()));
        var failed = progress["failed_rows"]!["items"]!.AsArray();
        Assert.Equal([2, 3], failed.Select(f => f!["line"]!.GetValue<int>()));
        Assert.Contains("Staff not found", failed[0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(404, failed[0]!["status"]!.GetValue<int>());
        Assert.Equal(422, failed[1]!["status"]!.GetValue<int>());
        Assert.Equal(31, (await fixture.Simulator.Inspector.GetContactAsync("447700900301"))!.Attributes["age"].GetInt32());
    }

    [Fact]
    public async Task Strict_mode_refuses_the_whole_file_for_one_bad_row_and_queues_nothing()
    {
        var csv = "name,phone_number\nA,447700900401\nB,447700900402\nC,12\nD,447700900404\n";

        using var response = await _gateway.PostFileAsync(csv, query: "?mode=strict");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(1, problem["rejected"]!.GetValue<int>());
        Assert.NotNull(problem["errors"]!["line 4"]);
        Assert.Equal(0, await _gateway.BulkDepthAsync());
        Assert.Empty(await fixture.Simulator.Inspector.GetRequestsAsync());
    }

    public static TheoryData<string, string, HttpStatusCode, string> RefusedFiles => new()
    {
        { "", "text/csv", HttpStatusCode.BadRequest, "empty_file" },
        { "name,phone_number,group\r\n", "text/csv", HttpStatusCode.BadRequest, "no_data_rows" },
        { "[]", "application/json", HttpStatusCode.BadRequest, "no_data_rows" },
        { "name,mobile\nA,447700900501\n", "text/csv", HttpStatusCode.BadRequest, "missing_phone_number_column" },
        { "[{\"phone_number\": \"447700900502\"}, {\"phone_number\": ", "application/json", HttpStatusCode.BadRequest, "malformed_json" },
        { "phone_number\n447700900503\n", "application/vnd.ms-excel", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type" },
        { "phone_number\n447700900504\n", "multipart/form-data; boundary=x", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type" },
    };

    [Theory]
    [MemberData(nameof(RefusedFiles))]
    public async Task A_refused_file_answers_a_problem_and_leaves_nothing_queued(string content, string contentType, HttpStatusCode status, string code)
    {
        using var response = await _gateway.PostFileAsync(content, contentType);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(code, (await response.ReadJsonAsync())["code"]!.GetValue<string>());
        Assert.Equal(0, await _gateway.BulkDepthAsync());
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_after_rows_were_read_and_nothing_is_queued()
    {
        await using var small = await GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, new Dictionary<string, string?>
        {
            ["Imports:MaxFileBytes"] = "2000",
            ["Imports:RowsPerMessage"] = "2",
        });
        var csv = "phone_number,name\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"4477009{i:D5},Name {i}\n"));

        // Chunked (no Content-Length), so the limit is found by reading, after whole packs were staged.
        var content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)));
        content.Headers.ContentType = new("text/csv");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/imports") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await small.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("file_too_large", (await response.ReadJsonAsync())["code"]!.GetValue<string>());
        Assert.Equal(0, await small.BulkDepthAsync());
    }

    [Fact]
    public async Task Progress_needs_the_api_key_and_an_unknown_import_is_not_found()
    {
        using var anonymous = new HttpClient { BaseAddress = _gateway.BaseAddress };
        using var unauthorised = await anonymous.GetAsync("/api/imports/0195a0b0c0d0e0f00000000000000001");
        using var missing = await _gateway.Client.GetAsync("/api/imports/0195a0b0c0d0e0f00000000000000001");

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
