using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Hooks;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Imports;
using Microsoft.AspNetCore.Routing;
using Xunit.Abstractions;

namespace Libromi.Gateway.EndToEnd.Reliability;

/// <summary>
/// A corpus of hostile requests generated from templates, across every public route: each gets a 4xx
/// problem+json (never a 5xx), no secret is echoed, and at the end nothing was enqueued, staged or sent.
/// </summary>
public sealed class BadInputCorpusTests(PipelineFixture fixture, ITestOutputHelper output) : IClassFixture<PipelineFixture>
{
    private const int MaxBodyBytes = 4096;
    private const int MaxFileBytes = 8192;
    private const string Phone = "+447700900123";

    private enum Key { None, Api, Admin, Wrong }

    /// <param name="Host">A Host header to send instead of the real one (over raw TCP: HttpClient replaces invalid ones).</param>
    /// <param name="MaySucceed">Generated for a route whose behaviour the corpus does not know: a 2xx or 3xx is allowed, a 5xx never.</param>
    private sealed record Case(string Name, HttpMethod Method, string Path, byte[]? Body = null, string? ContentType = null,
        Key Key = Key.Api, IReadOnlyDictionary<string, string>? Headers = null, string Kind = "input", string? Host = null, bool MaySucceed = false);

    /// <summary>Host headers that do not make a URL (each once answered 500 on the webhook route).</summary>
    private static readonly string[] MalformedHosts = ["a..b", ".", "xn--", "127.0.0.1:99999", new string('h', 300)];

    /// <summary>Cases Kestrel refuses before the app runs: its bare 400 cannot be a problem+json; they must still be 4xx.</summary>
    private const string ServerLevel = "server-level";

    /// <summary>Well-formed JSON whose string values are not valid text (invalid UTF-8 bytes, a lone surrogate escape).</summary>
    private const string InvalidText = "invalid-text";

    [Fact]
    public async Task Every_hostile_request_gets_a_4xx_problem_and_leaves_no_trace()
    {
        var cases = Corpus().Where(c => c.Kind != InvalidText).ToList();
        Assert.True(cases.Count >= 200, $"the corpus should hold at least 200 cases, has {cases.Count}");
        await RunAsync("bad-input corpus", cases, includeEveryRoute: true);
    }

    /// <summary>
    /// JSON string values that are not valid text (invalid UTF-8 bytes, a lone surrogate escape) used to be decoded
    /// only when mapping code read them, which threw and answered 500; the parsers now check every string up front
    /// (<c>JsonText.FindInvalidString</c>) and answer 400 like any other malformed JSON.
    /// </summary>
    [Fact]
    public async Task Json_strings_with_invalid_UTF8_or_a_lone_surrogate_get_a_400_problem_not_a_500()
    {
        await RunAsync("bad-input corpus, invalid text in JSON strings", [.. Corpus().Where(c => c.Kind == InvalidText)]);
    }

    private async Task RunAsync(string title, IReadOnlyList<Case> written, bool includeEveryRoute = false)
    {
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture, new Dictionary<string, string?>
        {
            ["Gateway:MaxRequestBodyBytes"] = MaxBodyBytes.ToString(),
            ["Imports:MaxFileBytes"] = MaxFileBytes.ToString(),
        });
        var routes = includeEveryRoute ? MappedRoutes(gateway) : [];
        List<Case> cases = [.. written, .. routes.SelectMany(EveryRouteCases)];
        var failures = new List<string>();
        var bodies = new List<string>();
        var statuses = new SortedDictionary<int, int>();

        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        foreach (var c in cases)
        {
            Answer answer;
            try
            {
                answer = await SendAsync(client, gateway.BaseAddress, c);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                failures.Add($"{c.Name}: no answer ({exception.Message})");
                continue;
            }
            var status = answer.Status;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            bodies.Add(answer.Body);
            var allowed = status is >= 400 and <= 499 || (c.MaySucceed && status is >= 200 and <= 399);
            if (!allowed)
            {
                failures.Add($"{c.Name}: {c.Method} {Shorten(c.Path)} answered {status}: {Shorten(answer.Body)}");
            }
            else if (status >= 400 && c.Kind != ServerLevel && answer.MediaType is not null && (answer.MediaType != "application/problem+json" || !IsProblem(answer.Body)))
            {
                failures.Add($"{c.Name}: {c.Method} {Shorten(c.Path)} answered {status} with {answer.MediaType}: {Shorten(answer.Body)}");
            }
            else if (status >= 400 && c.Kind != ServerLevel && c.Host is null && answer.MediaType is null)
            {
                failures.Add($"{c.Name}: {c.Method} {Shorten(c.Path)} answered {status} without a problem body");
            }
            else if (answer.NoSniff != true && !(c.Kind == ServerLevel || (c.Host is not null && answer.MediaType is null)))
            {
                failures.Add($"{c.Name}: {c.Method} {Shorten(c.Path)} answered {status} without X-Content-Type-Options: nosniff");
            }
        }
        if (includeEveryRoute)
        {
            // Routes of every kind (keyed, admin, anonymous webhook) must be among them, or the enumeration broke.
            Assert.Contains(new Route("POST", "/api/contacts"), routes);
            Assert.Contains(new Route("POST", "/api/hooks/{integration}"), routes);
            Assert.Contains(new Route("DELETE", "/api/dead-letters/{id}"), routes);
        }

        using var health = await gateway.Client.GetAsync("/api/health");
        var healthAfter = (int)health.StatusCode;
        var queued = await SecretScan.PeekQueueMessagesAsync(gateway);
        var importsStaged = await CountImportEntitiesAsync();
        var sentToLibromi = (await fixture.Simulator.Inspector.GetRequestsAsync()).Count;
        var deadLetters = await gateway.PeekDeadLettersAsync();
        string[] secrets = [.. HookGateway.AllSecrets, SimulatorFixture.AdminToken, GatewayHost.ApiKey, GatewayHost.AdminKey];
        var secretsFound = await SecretScan.FindAsync(gateway, secrets, bodies);

        ReliabilityFigures.Report(output, title,
        [
            ("cases tried", cases.Count), ("failures", failures.Count),
            ("answers", string.Join(" ", statuses.Select(s => $"{s.Key}x{s.Value}"))),
            ("server-level refusals (bare 400 from Kestrel)", cases.Count(c => c.Kind == ServerLevel)),
            ("of which generated for every mapped route", cases.Count - written.Count), ("mapped routes", routes.Count),
            ("operations enqueued", queued.Count), ("imports staged", importsStaged), ("calls to Libromi", sentToLibromi),
            ("dead-lettered", deadLetters.Count), ("secrets found", secretsFound.Count), ("health after the corpus", healthAfter),
        ]);
        foreach (var failure in failures)
        {
            output.WriteLine("FAIL " + failure);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join("\n", failures));
        Assert.Equal(200, healthAfter);
        Assert.Empty(queued);
        Assert.Equal(0, importsStaged);
        Assert.Equal(0, sentToLibromi);
        Assert.Empty(deadLetters);
        Assert.True(secretsFound.Count == 0, "secrets found:\n" + string.Join("\n", secretsFound));
    }

    private static IEnumerable<Case> Corpus()
    {
        var contact = "{\"phone_number\": \"" + Phone + "\", \"attributes\": {\"city\": \"Leeds\"}}";
        var assignment = $$"""{"phone_number": "{{Phone}}", "staff_email": "{{SimulatorFixture.StaffEmail}}"}""";
        var zapier = $$"""{"phone": "{{Phone}}", "name": "Ann"}""";
        var zapierHeaders = new Dictionary<string, string> { ["X-Api-Key"] = HookGateway.ZapierToken };
        (string Route, string Valid, Key Key, IReadOnlyDictionary<string, string>? Headers)[] jsonRoutes =
        [
            ("/api/contacts", contact, Key.Api, null),
            ("/api/staff-assignments", assignment, Key.Api, null),
            ("/api/hooks/zapier", zapier, Key.None, zapierHeaders),
        ];

        // 1. Corrupted JSON on every JSON route (the webhook with its valid token, so parsing is what is tested).
        foreach (var (route, valid, key, headers) in jsonRoutes)
        {
            Case Json(string name, byte[] body, string contentType = "application/json") =>
                new($"{route} {name}", HttpMethod.Post, route, body, contentType, key, headers);

            foreach (var fraction in new[] { 0.0, 0.25, 0.5, 0.75 })
            {
                yield return Json($"truncated at {fraction:P0}", Bytes(valid[..Math.Max(1, (int)(valid.Length * fraction))]));
            }
            yield return Json("truncated by one", Bytes(valid[..^1]));
            foreach (var (name, text) in new[]
            {
                ("not json", "not json at all"), ("open brace", "{"), ("close brace", "}"), ("open bracket", "["),
                ("missing value", """{"phone_number": }"""), ("trailing comma", valid[..^1] + ",}"),
                ("single quotes", valid.Replace('"', '\'')), ("NaN", """{"phone_number": NaN}"""),
                ("trailing garbage", valid + " trailing"), ("two documents", valid + valid),
                ("unquoted key", valid.Replace("\"phone", "phone").Replace("phone_number\"", "phone_number").Replace("phone\"", "phone")),
                ("control character in string", valid.Replace("Leeds", "Le\u0001eds").Replace("Ann", "A\u0001nn").Replace(SimulatorFixture.StaffEmail, "a\u0001gent@company.test")),
                ("bad escape", valid.Replace("+44", "\\q+44")),
            })
            {
                yield return Json(name, Bytes(text));
            }

            var firstKey = valid[1..valid.IndexOf(':', StringComparison.Ordinal)];
            yield return Json("a property twice", Bytes("{" + firstKey + ": \"x\", " + valid[1..]));
            yield return Json("a property twice in a nested object", Bytes(valid[..^1] + ", \"extra\": {\"a\": 1, \"a\": 2}}"));

            yield return Json("lone surrogate escape", Bytes(valid.Replace("+44", "\\ud800+44"))) with { Kind = InvalidText };

            // Invalid UTF-8 inside a string value.
            foreach (var (name, bytes) in new (string, byte[])[]
            {
                ("invalid UTF-8 0xFF", [0xFF]), ("invalid UTF-8 0xC3 0x28", [0xC3, 0x28]), ("overlong UTF-8", [0xC0, 0xAF]),
                ("UTF-8 encoded surrogate", [0xED, 0xA0, 0x80]), ("truncated UTF-8 sequence", [0xE2, 0x82]),
            })
            {
                var at = valid.IndexOf("+44", StringComparison.Ordinal) + 1;
                yield return Json(name, [.. Bytes(valid[..at]), .. bytes, .. Bytes(valid[at..])]) with { Kind = InvalidText };
            }

            // Deep nesting (past the parser's depth limit) and bodies past Gateway:MaxRequestBodyBytes.
            foreach (var depth in new[] { 65, 500, 3000 })
            {
                var nested = new string('[', depth) + new string(']', depth);
                yield return Json($"nested {depth} deep", Bytes(valid[..^1] + ", \"deep\": " + nested + "}"));
            }
            yield return Json("oversized", Bytes(valid[..^1] + ", \"pad\": \"" + new string('x', MaxBodyBytes + 100) + "\"}"));
            yield return Json("oversized whitespace", Bytes(new string(' ', MaxBodyBytes + 1) + valid));
            yield return Json("empty body", []);
            yield return Json("xml body", Bytes("<contact><phone>447700900123</phone></contact>"), "application/xml");
            yield return Json("long content type parameter on a broken body", Bytes(valid[..^1]), "application/json; x=" + new string('a', 4000));
        }

        // 2. Canonical routes: top-level non-objects, content types, wrong types, unknown fields.
        foreach (var (route, valid) in new[] { ("/api/contacts", contact), ("/api/staff-assignments", assignment) })
        {
            foreach (var text in new[] { "null", "true", "42", "\"string\"", "[]", "[{}]", "{}", "1e400" })
            {
                yield return new Case($"{route} top-level {text}", HttpMethod.Post, route, Bytes(text), "application/json");
            }
            foreach (var contentType in new string?[]
            {
                null, "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
                "application/json; charset=utf-16", "application/json; charset=latin1", "text/csv", "application/octet-stream",
                "application/json, text/plain", "json", ";;;", "application/" + new string('j', 2000),
            })
            {
                yield return new Case($"{route} valid body as {Shorten(contentType ?? "(none)", 40)}", HttpMethod.Post, route, Bytes(valid), contentType);
            }
            foreach (var phone in new[]
            {
                "123", "1e400", "123456789012345678901234567890", "true", "null", "[]", "{}", "[\"+447700900123\"]",
                "\"\"", "\" \"", "\"+\"", "\"12\"", "\"" + new string('9', 40) + "\"", "\"07700 900123\"", "\"+44 7700 abc\"",
                "\"" + new string('4', 3000) + "\"",
            })
            {
                var body = route == "/api/contacts"
                    ? "{\"phone_number\": " + phone + ", \"attributes\": {\"city\": \"Leeds\"}}"
                    : $$"""{"phone_number": {{phone}}, "staff_email": "{{SimulatorFixture.StaffEmail}}"}""";
                yield return new Case($"{route} phone_number {Shorten(phone, 40)}", HttpMethod.Post, route, Bytes(body), "application/json");
            }
            foreach (var email in new[] { "1", "1e400", "true", "[]", "{}", "\"not-an-email\"", "\"a@\"", "\"\"" })
            {
                yield return new Case($"{route} staff_email {email}", HttpMethod.Post, route,
                    Bytes($$"""{"phone_number": "{{Phone}}", "staff_email": {{email}}}"""), "application/json");
            }
            yield return new Case($"{route} unknown field", HttpMethod.Post, route, Bytes(valid[..^1] + ", \"phone\": \"+447700900124\"}"), "application/json");
            yield return new Case($"{route} misspelt field only", HttpMethod.Post, route, Bytes("""{"phonenumber": "+447700900123"}"""), "application/json");
        }
        foreach (var attributes in new[]
        {
            "\"city=Leeds\"", "1", "true", "[]", "[\"city\"]", """{"address": {"city": "Leeds"}}""", """{"tags": [1, 2]}""",
            """{"tags": [{}]}""", """{"tags": [["a"]]}""", """{"tags": [null]}""", """{"": "empty name"}""",
        })
        {
            yield return new Case($"/api/contacts attributes {attributes}", HttpMethod.Post, "/api/contacts",
                Bytes($$"""{"phone_number": "{{Phone}}", "attributes": {{attributes}}}"""), "application/json");
        }
        yield return new Case("/api/staff-assignments missing staff_email", HttpMethod.Post, "/api/staff-assignments", Bytes($$"""{"phone_number": "{{Phone}}"}"""), "application/json");
        yield return new Case("/api/staff-assignments with attributes", HttpMethod.Post, "/api/staff-assignments",
            Bytes(assignment[..^1] + ", \"attributes\": {\"city\": \"Leeds\"}}"), "application/json");

        // 3. Keys: keyed routes without, with a wrong, an empty or a very long key, or the key in a hostile query.
        foreach (var (method, route, body) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Post, "/api/contacts", contact), (HttpMethod.Post, "/api/staff-assignments", assignment),
            (HttpMethod.Post, "/api/imports", "name,phone_number,group\nAnn,+447700900123,vip\n"),
            (HttpMethod.Get, "/api/imports/" + Guid.NewGuid().ToString("N"), null),
            (HttpMethod.Get, "/api/dead-letters", null), (HttpMethod.Post, "/api/dead-letters/replay?all=true", null),
            (HttpMethod.Post, "/api/dead-letters/x/replay", null), (HttpMethod.Delete, "/api/dead-letters/x", null),
        })
        {
            var contentType = route.Contains("imports", StringComparison.Ordinal) ? "text/csv" : "application/json";
            var admin = route.Contains("dead-letters", StringComparison.Ordinal);
            var bytes = body is null ? null : Bytes(body);
            yield return new Case($"{method} {route} without key", method, route, bytes, contentType, Key.None);
            yield return new Case($"{method} {route} wrong key", method, route, bytes, contentType, Key.Wrong);
            yield return new Case($"{method} {route} long key", method, route, bytes, contentType, Key.None,
                new Dictionary<string, string> { ["x-functions-key"] = new string('k', 8000) });
            yield return new Case($"{method} {route} wrong code in query", method, route + (route.Contains('?') ? "&" : "?") + "code=%27%20OR%201%3D1", bytes, contentType, Key.None);
            if (admin)
            {
                yield return new Case($"{method} {route} with the API key only", method, route, bytes, contentType, Key.Api);
            }
        }

        // 4. Webhooks: unknown integrations, failed verification, hostile integration names.
        foreach (var name in new[] { "nosuch", "ZAPIER-nope", new string('z', 2000), "%2e%2e", "z%20apier", "%C3%28" })
        {
            yield return new Case($"hook {Shorten(name, 30)} unknown", HttpMethod.Post, "/api/hooks/" + name, Bytes(zapier), "application/json", Key.None, zapierHeaders);
        }
        // An encoded NUL in the path: Kestrel refuses the request line itself, before any middleware.
        yield return new Case("hook zapier%00", HttpMethod.Post, "/api/hooks/zapier%00", Bytes(zapier), "application/json", Key.None, zapierHeaders, ServerLevel);
        foreach (var token in new[] { "wrong", HookGateway.ZapierToken + "x", HookGateway.ZapierToken.ToUpperInvariant(), new string('t', 8000), "" })
        {
            yield return new Case($"hook zapier token {Shorten(token, 20)}", HttpMethod.Post, "/api/hooks/zapier", Bytes(zapier), "application/json", Key.None,
                new Dictionary<string, string> { ["X-Api-Key"] = token });
        }
        var tooMany = "[" + string.Join(",", Enumerable.Range(0, 101).Select(i => $$"""{"phone":"+4477009{{i:D5}}"}""")) + "]";
        yield return new Case("hook zapier 101 items", HttpMethod.Post, "/api/hooks/zapier", Bytes(tooMany), "application/json", Key.None, zapierHeaders);
        yield return new Case("hook zapier without token", HttpMethod.Post, "/api/hooks/zapier", Bytes(zapier), "application/json", Key.None);
        yield return new Case("hook zapier with API key instead of token", HttpMethod.Post, "/api/hooks/zapier", Bytes(zapier), "application/json", Key.Api);
        var github = """{"phone": "+447700900123", "login": "octo"}""";
        foreach (var (name, signature) in new[]
        {
            ("missing signature", (string?)null), ("garbage signature", "sha256=zz"), ("empty signature", ""),
            ("signature without prefix", Sign(github)[7..]), ("signature of another body", Sign(github + " ")),
            ("signature with the wrong secret", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Bytes("wrong"), Bytes(github)))),
            ("very long signature", "sha256=" + new string('a', 8000)),
        })
        {
            var headers = signature is null ? null : new Dictionary<string, string> { ["X-Hub-Signature-256"] = signature };
            yield return new Case($"hook github {name}", HttpMethod.Post, "/api/hooks/github", Bytes(github), "application/json", Key.None, headers);
        }
        foreach (var (name, body) in new[] { ("truncated", github[..10]), ("not json", "nope"), ("deep", "{\"a\":" + new string('[', 100) + new string(']', 100) + "}") })
        {
            // Correctly signed, so the body itself is what is refused.
            yield return new Case($"hook github signed {name}", HttpMethod.Post, "/api/hooks/github", Bytes(body), "application/json", Key.None,
                new Dictionary<string, string> { ["X-Hub-Signature-256"] = Sign(body) });
        }

        // 5. Imports: files that are empty, broken, wholly invalid, too large, of the wrong type; hostile progress ids.
        var header = "name,phone_number,group\n";
        foreach (var (name, body, contentType) in new (string, byte[], string?)[]
        {
            ("empty csv", [], "text/csv"), ("header only", Bytes(header), "text/csv"), ("no header", Bytes("Ann,+447700900123,vip\n"), "text/csv"),
            ("every row invalid", Bytes(header + "Ann,abc,x\nBob,12,y\nCy,,z\n"), "text/csv"),
            ("unterminated quote", Bytes(header + "\"Ann,+447700900123,vip\n"), "text/csv"),
            ("invalid UTF-8 csv", [.. Bytes(header + "Ann,"), 0xFF, 0xFE, .. Bytes(",vip\n")], "text/csv"),
            ("binary", [0x00, 0x01, 0x02, 0xFF, 0x7F, 0x00], "text/csv"),
            ("oversized csv", Bytes(header + string.Concat(Enumerable.Range(0, 400).Select(i => $"Name{i},+4477009{i:D5},vip\n"))), "text/csv"),
            ("json object", Bytes("{}"), "application/json"), ("json numbers", Bytes("[1, 2]"), "application/json"),
            ("json wrong types", Bytes("""[{"phone_number": 5}, {"phone_number": true}]"""), "application/json"),
            ("json truncated", Bytes("""[{"phone_number": "+4477"""), "application/json"), ("json null", Bytes("null"), "application/json"),
            ("json deep", Bytes(new string('[', 200) + new string(']', 200)), "application/json"),
            ("json empty array", Bytes("[]"), "application/json"),
            ("xml", Bytes("<rows/>"), "application/xml"), ("text/plain csv", Bytes(header + "Ann,+447700900123,vip\n"), "text/plain"),
            ("no content type", Bytes(header + "Ann,+447700900123,vip\n"), null),
            ("multipart", Bytes("--x\r\n\r\nAnn\r\n--x--"), "multipart/form-data; boundary=x"),
        })
        {
            yield return new Case($"import {name}", HttpMethod.Post, "/api/imports", body, contentType);
        }
        foreach (var mode in new[] { "lenient", "STRICT!", "%00", new string('m', 1000) })
        {
            yield return new Case($"import mode {Shorten(mode, 20)}", HttpMethod.Post, "/api/imports?mode=" + mode, Bytes(header + "Ann,+447700900123,vip\n"), "text/csv");
        }
        foreach (var id in new[] { Guid.NewGuid().ToString("N"), "..", "%2e%2e%2fdead-letters", new string('i', 2000), "%27%20OR%20%27%27%3D%27", "%C3%BC", "import", "chunk-0" })
        {
            yield return new Case($"import progress {Shorten(id, 30)}", HttpMethod.Get, "/api/imports/" + id);
        }
        foreach (var page in new[] { "0", "-1", "abc", "99999999999999999999" })
        {
            yield return new Case($"import progress failed_page={page}", HttpMethod.Get, $"/api/imports/{Guid.NewGuid():N}?failed_page={page}");
        }

        // 6. Dead letters with the admin key: hostile filters, pages, cursors and ids.
        foreach (var query in new[]
        {
            "limit=0", "limit=-1", "limit=abc", "limit=1e9", "limit=99999999999999999999", "limit=1.5", "cursor=garbage",
            "cursor=" + new string('!', 2000), "since=notadate", "until=9999-99-99", "since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z",
            "reason_class=bogus", "reason_class=%27%3B%20DROP%20TABLE",
        })
        {
            yield return new Case($"dead-letters list {Shorten(query, 30)}", HttpMethod.Get, "/api/dead-letters?" + query, Key: Key.Admin);
        }
        foreach (var query in new[] { "", "all=maybe", "all=true&dry_run=perhaps", "all=true&limit=0", "all=true&limit=-5", "all=true&reason_class=bogus", "since=bad", "all=1" })
        {
            yield return new Case($"dead-letters replay ?{query}", HttpMethod.Post, "/api/dead-letters/replay?" + query, Key: Key.Admin);
        }
        foreach (var id in new[] { Guid.NewGuid().ToString("N"), "..", "%2e%2e", new string('d', 2000), "%27%20OR%20%27%27%3D%27", "%C3%BC", "replay" })
        {
            yield return new Case($"dead-letter replay {Shorten(id, 30)}", HttpMethod.Post, $"/api/dead-letters/{id}/replay", Key: Key.Admin);
            yield return new Case($"dead-letter delete {Shorten(id, 30)}", HttpMethod.Delete, $"/api/dead-letters/{id}", Key: Key.Admin);
        }

        // 7. Wrong methods and unknown routes.
        foreach (var (route, key) in new[]
        {
            ("/api/contacts", Key.Api), ("/api/staff-assignments", Key.Api), ("/api/imports", Key.Api), ("/api/hooks/zapier", Key.None),
            ("/api/dead-letters/replay", Key.Admin),
        })
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Patch })
            {
                yield return new Case($"{method} {route}", method, route, method == HttpMethod.Get ? null : Bytes(contact), "application/json", key);
            }
        }
        yield return new Case("PUT /api/dead-letters", HttpMethod.Put, "/api/dead-letters", Key: Key.Admin);
        yield return new Case("POST /api/dead-letters", HttpMethod.Post, "/api/dead-letters", Key: Key.Admin);
        yield return new Case("PATCH /api/imports/x", HttpMethod.Patch, "/api/imports/x", Bytes("{}"), "application/json");
        foreach (var route in new[]
        {
            "/api/contact", "/api/contacts/1", "/api/contacts/x/y", "/api/hooks", "/api/hooks/zapier/extra", "/api/imports/a/b",
            "/api/dead-letters/x/y/z", "/apix", "/api/%2e%2e/contacts", "/api/staff-assignment", "/api/" + new string('r', 2000), "/api/hooks/zapier/../../contacts/x",
        })
        {
            yield return new Case($"unknown route {Shorten(route, 40)}", HttpMethod.Post, route, Bytes(contact), "application/json");
        }
    }

    private sealed record Route(string Method, string Template)
    {
        public override string ToString() => $"{Method} {Template}";
    }

    /// <summary>Every method and route the host maps, read from its endpoint data source: a new route joins the corpus by existing.</summary>
    private static List<Route> MappedRoutes(GatewayHost gateway) =>
    [
        .. gateway.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => new Route(m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct(),
    ];

    /// <summary>
    /// Hostile requests any route must survive without a 5xx: a Host header that makes no URL, a wrong key, and a body
    /// that names a property twice, with and without a valid key. The corpus does not know what a new route does, so a
    /// 2xx is allowed; what it may not do is fail, or queue what the end of the run looks for.
    /// </summary>
    private static IEnumerable<Case> EveryRouteCases(Route route)
    {
        var path = System.Text.RegularExpressions.Regex.Replace(route.Template, "{([^}:]+)[^}]*}",
            m => m.Groups[1].Value == "integration" ? "zapier" : Guid.NewGuid().ToString("N"));
        var method = new HttpMethod(route.Method);
        var body = method == HttpMethod.Get ? null : Bytes("""{"phone_number": "+447700900123", "phone_number": "+447700900124"}""");
        var name = $"route {route} ";
        foreach (var host in MalformedHosts)
        {
            yield return new Case(name + $"host {Shorten(host, 20)}", method, path, body, "application/json", Key.Admin, Host: host, MaySucceed: true);
        }
        yield return new Case(name + "wrong key", method, path, body, "application/json", Key.Wrong, MaySucceed: true);
        yield return new Case(name + "property twice, admin key", method, path, body, "application/json", Key.Admin, MaySucceed: true);
    }

    private sealed record Answer(int Status, string? MediaType, string Body, bool NoSniff);

    private static async Task<Answer> SendAsync(HttpClient client, Uri baseAddress, Case c)
    {
        var key = c.Key switch { Key.Api => GatewayHost.ApiKey, Key.Admin => GatewayHost.AdminKey, Key.Wrong => "wrong-key", _ => null };
        if (c.Host is not null)
        {
            var headers = new Dictionary<string, string>(c.Headers ?? new Dictionary<string, string>());
            if (key is not null)
            {
                headers["x-functions-key"] = key;
            }
            if (c.ContentType is not null)
            {
                headers["Content-Type"] = c.ContentType;
            }
            var raw = await RawHttp.SendAsync(baseAddress, c.Method.Method, c.Path, c.Host, headers, c.Body);
            return new Answer(raw.Status, raw.ContentType, raw.Body, raw.Headers.TryGetValue("X-Content-Type-Options", out var sniff) && sniff == "nosniff");
        }

        using var request = new HttpRequestMessage(c.Method, c.Path);
        if (c.Body is not null)
        {
            request.Content = new ByteArrayContent(c.Body);
            if (c.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
            }
        }
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("x-functions-key", key);
        }
        foreach (var (name, value) in c.Headers ?? new Dictionary<string, string>())
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value), $"{c.Name}: header {name} not added");
        }
        using var response = await client.SendAsync(request);
        return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(),
            response.Headers.TryGetValues("X-Content-Type-Options", out var values) && values.Contains("nosniff"));
    }

    private async Task<int> CountImportEntitiesAsync()
    {
        var table = new TableServiceClient(fixture.Azurite.ConnectionString).GetTableClient(ImportTable.TableName);
        await table.CreateIfNotExistsAsync();
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            count++;
        }
        return count;
    }

    private static bool IsProblem(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("status", out _)
                && document.RootElement.TryGetProperty("title", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Sign(string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Bytes(HookGateway.GitHubSecret), Bytes(body)));

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Shorten(string text, int max = 160) => text.Length <= max ? text : text[..max] + "...";
}
