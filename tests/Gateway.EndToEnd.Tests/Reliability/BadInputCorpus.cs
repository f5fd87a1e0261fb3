using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Hooks;

namespace Libromi.Gateway.EndToEnd.Reliability;

/// <summary>
/// Hostile requests generated from templates, across every public route, with the settings they assume (small body
/// and file limits, so the oversized cases stay small). Both hosts run the same list: the standalone host in
/// <see cref="BadInputCorpusTests"/>, the Functions worker in <c>Worker.WorkerParityTests</c>.
/// </summary>
internal static class BadInputCorpus
{
    public const int MaxBodyBytes = 4096;
    public const int MaxFileBytes = 8192;
    private const string Phone = "+447700900123";

    /// <summary>Cases Kestrel refuses before the app runs: its bare 400 cannot be a problem+json; they must still be 4xx.</summary>
    public const string ServerLevel = "server-level";

    /// <summary>Well-formed JSON whose string values are not valid text (invalid UTF-8 bytes, a lone surrogate escape).</summary>
    public const string InvalidText = "invalid-text";

    /// <summary>The gateway settings the cases assume.</summary>
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Gateway:MaxRequestBodyBytes"] = MaxBodyBytes.ToString(),
        ["Imports:MaxFileBytes"] = MaxFileBytes.ToString(),
        // A configured scenario, so the scenario route's valid body is valid and only the corruption is tested.
        ["Scenarios:Definitions:order_confirmation:Secret"] = "scenario-corpus",
        ["Gateway:Secrets:scenario-corpus"] = "http://127.0.0.1:9/scenarios/corpus-never-called",
    };

    public enum Key { None, Api, Admin, Wrong }

    /// <param name="Host">A Host header to send instead of the real one (over raw TCP: HttpClient replaces invalid ones).</param>
    /// <param name="MaySucceed">Generated for a route whose behaviour the corpus does not know: a 2xx or 3xx is allowed, a 5xx never.</param>
    public sealed record Case(string Name, HttpMethod Method, string Path, byte[]? Body = null, string? ContentType = null,
        Key Key = Key.Api, IReadOnlyDictionary<string, string>? Headers = null, string Kind = "input", string? Host = null, bool MaySucceed = false);

    /// <summary>Host headers that do not make a URL (each once answered 500 on the webhook route).</summary>
    public static readonly IReadOnlyList<string> MalformedHosts = ["a..b", ".", "xn--", "127.0.0.1:99999", new string('h', 300)];

    /// <summary>
    /// Hostile requests any route must survive without a 5xx: a Host header that makes no URL, a wrong key, and a body
    /// that names a property twice, with and without a valid key. The corpus does not know what a new route does, so a
    /// 2xx or 3xx is allowed; what it may not do is fail, or queue what the end of the run looks for.
    /// </summary>
    public static IEnumerable<Case> EveryRouteCases(string method, string template)
    {
        var path = System.Text.RegularExpressions.Regex.Replace(template, "{([^}:]+)[^}]*}",
            m => m.Groups[1].Value == "integration" ? "zapier" : Guid.NewGuid().ToString("N"));
        var httpMethod = new HttpMethod(method);
        var body = httpMethod == HttpMethod.Get ? null : Bytes("""{"phone_number": "+447700900123", "phone_number": "+447700900124"}""");
        var name = $"route {method} {template} ";
        foreach (var host in MalformedHosts)
        {
            yield return new Case(name + $"host {Shorten(host, 20)}", httpMethod, path, body, "application/json", Key.Admin, Host: host, MaySucceed: true);
        }
        yield return new Case(name + "wrong key", httpMethod, path, body, "application/json", Key.Wrong, MaySucceed: true);
        yield return new Case(name + "property twice, admin key", httpMethod, path, body, "application/json", Key.Admin, MaySucceed: true);
    }

    /// <summary>The case as a request, with its key (the standalone host's API and admin keys, which the worker's host takes as function and master key).</summary>
    public static HttpRequestMessage ToRequest(Case c)
    {
        var request = new HttpRequestMessage(c.Method, c.Path);
        if (c.Body is not null)
        {
            request.Content = new ByteArrayContent(c.Body);
            if (c.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
            }
        }
        var key = c.Key switch { Key.Api => GatewayHost.ApiKey, Key.Admin => GatewayHost.AdminKey, Key.Wrong => "wrong-key", _ => null };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("x-functions-key", key);
        }
        foreach (var (name, value) in c.Headers ?? new Dictionary<string, string>())
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                throw new InvalidOperationException($"{c.Name}: header {name} not added");
            }
        }
        return request;
    }

    public static IEnumerable<Case> Cases()
    {
        var contact = "{\"phone_number\": \"" + Phone + "\", \"attributes\": {\"city\": \"Leeds\"}}";
        var assignment = $$"""{"phone_number": "{{Phone}}", "staff_email": "{{SimulatorFixture.StaffEmail}}"}""";
        var scenario = $$$"""{"scenario": "order_confirmation", "phone_number": "{{{Phone}}}", "fields": {"name": "Ann", "order_id": "ORD-1"}}""";
        var zapier = $$"""{"phone": "{{Phone}}", "name": "Ann"}""";
        var zapierHeaders = new Dictionary<string, string> { ["X-Api-Key"] = HookGateway.ZapierToken };
        (string Route, string Valid, Key Key, IReadOnlyDictionary<string, string>? Headers)[] jsonRoutes =
        [
            ("/api/contacts", contact, Key.Api, null),
            ("/api/staff-assignments", assignment, Key.Api, null),
            ("/api/scenario-triggers", scenario, Key.Api, null),
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
        foreach (var body in new[]
        {
            """{"scenario": "deal_won", "phone_number": "+447700900123"}""",
            """{"scenario": "../../etc", "phone_number": "+447700900123"}""",
            """{"scenario": 1, "phone_number": "+447700900123"}""",
            """{"scenario": "", "phone_number": "+447700900123"}""",
            """{"phone_number": "+447700900123", "fields": {"name": "Ann"}}""",
            """{"scenario": "order_confirmation", "fields": {"name": "Ann"}}""",
            """{"scenario": "order_confirmation", "phone_number": "12"}""",
            """{"scenario": "order_confirmation", "phone_number": "+447700900123", "fields": "name=Ann"}""",
            """{"scenario": "order_confirmation", "phone_number": "+447700900123", "fields": [1]}""",
            """{"scenario": "order_confirmation", "phone_number": "+447700900123", "fields": {"address": {"city": "Leeds"}}}""",
            """{"scenario": "order_confirmation", "phone_number": "+447700900123", "fields": {"tags": ["a"]}}""",
            """{"scenario": "order_confirmation", "phone_number": "+447700900123", "fields": {"gone": null}}""",
            """{"scenario": "order_confirmation", "phone_number": "+447700900123", "fields": {"n": 1e400}}""",
            """{"scenario": "order_confirmation", "phone_number": "+447700900123", "fields": {"phone_number": "+447700900124"}}""",
            """{"scenario": "order_confirmation", "phone_number": "+447700900123", "fields": {"": "empty name"}}""",
            """{"scenario": "order_confirmation", "phone_number": "+447700900123", "url": "https://evil.example/hook"}""",
        })
        {
            yield return new Case($"/api/scenario-triggers {Shorten(body, 200)}", HttpMethod.Post, "/api/scenario-triggers", Bytes(body), "application/json");
        }
        yield return new Case("/api/staff-assignments missing staff_email", HttpMethod.Post, "/api/staff-assignments", Bytes($$"""{"phone_number": "{{Phone}}"}"""), "application/json");
        yield return new Case("/api/staff-assignments with attributes", HttpMethod.Post, "/api/staff-assignments",
            Bytes(assignment[..^1] + ", \"attributes\": {\"city\": \"Leeds\"}}"), "application/json");

        // 3. Keys: keyed routes without, with a wrong, an empty or a very long key, or the key in a hostile query.
        foreach (var (method, route, body) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Post, "/api/contacts", contact), (HttpMethod.Post, "/api/staff-assignments", assignment),
            (HttpMethod.Post, "/api/scenario-triggers", scenario),
            (HttpMethod.Post, "/api/imports", "name,phone_number,group\nAnn,+447700900123,vip\n"),
            (HttpMethod.Get, "/api/imports/" + Guid.NewGuid().ToString("N"), null),
            (HttpMethod.Get, "/api/dead-letters", null), (HttpMethod.Post, "/api/dead-letters/replay?all=true", null),
            (HttpMethod.Post, "/api/dead-letters/x/replay", null), (HttpMethod.Delete, "/api/dead-letters/x", null),
            (HttpMethod.Post, "/api/integrations/zapier/test", """{"sample": {"body": {}}}"""),
            (HttpMethod.Post, "/api/replays", """{"source": "dead_letters", "all": true}"""),
            (HttpMethod.Get, "/api/replays/" + Guid.NewGuid().ToString("N"), null),
        })
        {
            var contentType = route.Contains("imports", StringComparison.Ordinal) ? "text/csv" : "application/json";
            var admin = route.Contains("dead-letters", StringComparison.Ordinal) || route.Contains("/integrations/", StringComparison.Ordinal)
                || route.Contains("/replays", StringComparison.Ordinal);
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

        // 6b. Replay jobs with the admin key: unknown sources, bad times, unconfirmed empty filters, typos, hostile ids.
        foreach (var body in new[]
        {
            "[]", "null", "{}", """{"source": "operations", "all": true}""", """{"source": "dead_letters"}""", """{"source": "dead_letters", "filter": {}}""",
            """{"source": "dead_letters", "all": "yes"}""", """{"source": "dead_letters", "filter": {"since": "notadate"}}""",
            """{"source": "dead_letters", "filter": {"reason_class": "bogus"}}""", """{"source": "deliveries", "filter": {"integration": "zapier"}}""",
            """{"source": "deliveries", "filter": {"outcome": "invalid"}}""", """{"source": "deliveries", "filter": {"integration": "zapier", "until": "9999-99-99"}}""",
            """{"source": "deliveries", "filter": {"integration": "zapier", "outcome": "invalid", "delivery_id": "../x"}}""",
            """{"source": "deliveries", "filter": {"integration": "zapier", "outcome": "invalid"}, "limit": 5}""",
            """{"source": "deliveries", "filter": {"integration": "zapier", "since": "2020-01-01T00:00:00Z"}}""",
        })
        {
            yield return new Case($"replay {Shorten(body, 40)}", HttpMethod.Post, "/api/replays", Bytes(body), "application/json", Key.Admin);
        }
        yield return new Case("replay as text/plain", HttpMethod.Post, "/api/replays", Bytes("""{"source": "dead_letters", "all": true}"""), "text/plain", Key.Admin);
        foreach (var id in new[] { Guid.NewGuid().ToString("N"), "..", "%2e%2e", new string('r', 2000), "%27%20OR%20%27%27%3D%27" })
        {
            yield return new Case($"replay job {Shorten(id, 30)}", HttpMethod.Get, $"/api/replays/{id}", Key: Key.Admin);
        }

        // 7. Dry runs with the admin key: requests that are not a dry run, drafts that are not a definition. A sample
        // that a delivery would be refused for is not bad input here (the answer is a 200 report), so none is listed.
        const string DryRun = "/api/integrations/zapier/test";
        foreach (var body in new[]
        {
            "[]", "null", "\"sample\"", """{"sample": null}""", """{"sample": {}}""", """{"sample": {"body": {}, "body_text": "{}"}}""",
            """{"sample": {"body_text": 5}}""", """{"sample": {"body": {}, "headers": []}}""", """{"sample": {"body": {}, "headers": {"X": null}}}""",
            """{"sample": {"body": {}, "url": "/relative"}}""", """{"sample": {"body": {}, "url": "javascript:alert(1)"}}""",
            """{"sample": {"body": {}}, "sample_phone": 447700900123}""", """{"sample": {"body": {}}, "definition": "zapier"}""",
            """{"sample": {"body": {}}, "unknown": 1}""",
            """{"sample": {"body": {}}, "definition": {}}""",
            """{"sample": {"body": {}}, "definition": {"verify": {"scheme": "none"}, "operations": []}}""",
            """{"sample": {"body": {}}, "definition": {"verify": {"scheme": "header-token", "header": "X-Api-Key", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "operations": [{"upsert_contact": {"phone_number": "a..b"}}]}}""",
            """{"sample": {"body": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": 1}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}""",
        })
        {
            yield return new Case($"dry run {Shorten(body, 40)}", HttpMethod.Post, DryRun, Bytes(body), "application/json", Key.Admin);
        }
        yield return new Case("dry run as text/plain", HttpMethod.Post, DryRun, Bytes("""{"sample": {"body": {}}}"""), "text/plain", Key.Admin);
        yield return new Case("dry run of an unknown integration", HttpMethod.Post, "/api/integrations/nosuch/test", Bytes("""{"sample": {"body": {}}}"""), "application/json", Key.Admin);
        yield return new Case("dry run of a hostile name", HttpMethod.Post, "/api/integrations/%2e%2e/test", Bytes("""{"sample": {"body": {}}}"""), "application/json", Key.Admin);

        // 8. Wrong methods and unknown routes.
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

    public static bool IsProblem(string body)
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

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Shorten(string text, int max = 160) => text.Length <= max ? text : text[..max] + "...";
}
