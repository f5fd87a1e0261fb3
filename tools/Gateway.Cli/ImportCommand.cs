using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Spectre.Console;

namespace Libromi.Gateway.Cli;

/// <summary>
/// <c>gateway import FILE --url URL --key KEY [--strict] [--watch]</c>: uploads a contact file (streamed from disk)
/// to <c>POST /api/imports</c> and, with <c>--watch</c>, follows <c>GET /api/imports/{id}</c> with a live progress bar.
/// </summary>
internal static class ImportCommand
{
    public const int Success = 0;
    /// <summary>The import finished, or was accepted, but not every row got through (rejected or failed rows).</summary>
    public const int NotEveryRow = 1;
    public const int Usage = 2;
    /// <summary>The gateway refused the file (4xx): nothing was imported.</summary>
    public const int Refused = 3;
    /// <summary>The gateway could not be reached or answered 5xx.</summary>
    public const int Unavailable = 4;

    private const string UsageText = "usage: gateway import FILE --url http://127.0.0.1:7071 --key KEY [--strict] [--watch] [--poll-seconds N]";

    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, CancellationToken cancellationToken, HttpMessageHandler? handler = null)
    {
        if (!ImportArguments.TryParse(args, out var arguments, out var error))
        {
            console.MarkupLineInterpolated($"[red]{error}[/]");
            console.WriteLine(UsageText);
            return Usage;
        }
        if (!File.Exists(arguments.File))
        {
            console.MarkupLineInterpolated($"[red]File not found: {arguments.File}[/]");
            return Usage;
        }

        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = arguments.Url;
        http.Timeout = Timeout.InfiniteTimeSpan; // a large file uploads for a while; the gateway bounds it by size
        http.DefaultRequestHeaders.Add("x-functions-key", arguments.Key);
        try
        {
            var accepted = await UploadAsync(http, arguments, console, cancellationToken);
            if (accepted is null)
            {
                return Refused;
            }
            var (location, rejected) = accepted.Value;
            if (!arguments.Watch)
            {
                console.MarkupLineInterpolated($"Follow it with: GET {location}");
                return rejected == 0 ? Success : NotEveryRow;
            }
            return await WatchAsync(http, location, rejected, arguments.PollInterval, console, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or GatewayUnavailableException)
        {
            console.MarkupLineInterpolated($"[red]The gateway at {arguments.Url} could not be reached or failed: {exception.Message}[/]");
            return Unavailable;
        }
    }

    private static async Task<(string Location, int Rejected)?> UploadAsync(HttpClient http, ImportArguments arguments, IAnsiConsole console, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(arguments.File);
        using var content = new StreamContent(file, 64 * 1024); // streamed from disk, never read whole
        content.Headers.ContentType = new MediaTypeHeaderValue(arguments.ContentType) { CharSet = "utf-8" };
        using var response = await http.PostAsync(arguments.Strict ? "/api/imports?mode=strict" : "/api/imports", content, cancellationToken);
        using var body = await ReadJsonAsync(response, cancellationToken);

        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            if ((int)response.StatusCode >= 500)
            {
                throw new GatewayUnavailableException($"{(int)response.StatusCode}: {Text(body, "detail")}");
            }
            console.MarkupLineInterpolated($"[red]Refused ({(int)response.StatusCode}): {Text(body, "detail") ?? response.ReasonPhrase}[/]");
            PrintRowErrors(console, body, "row_errors");
            return null;
        }

        var root = body!.RootElement;
        var acceptedRows = root.GetProperty("accepted").GetInt32();
        var rejected = root.GetProperty("rejected").GetInt32();
        console.MarkupLineInterpolated($"Import [bold]{root.GetProperty("import_id").GetString()}[/]: {acceptedRows} rows queued, {rejected} rejected, {root.GetProperty("duplicates").GetInt32()} duplicate phone numbers.");
        PrintRowErrors(console, body, "row_errors");
        return (response.Headers.Location?.ToString() ?? root.GetProperty("location").GetString()!, rejected);
    }

    private static async Task<int> WatchAsync(HttpClient http, string location, int rejected, TimeSpan pollInterval, IAnsiConsole console, CancellationToken cancellationToken)
    {
        JsonDocument? last = null;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("waiting", maxValue: 1);
                while (true)
                {
                    using var response = await http.GetAsync(location, cancellationToken);
                    var document = await ReadJsonAsync(response, cancellationToken);
                    if (!response.IsSuccessStatusCode || document is null)
                    {
                        document?.Dispose();
                        throw new GatewayUnavailableException($"progress answered {(int)response.StatusCode}");
                    }
                    last?.Dispose();
                    last = document;
                    var progress = Progress.From(document.RootElement);
                    task.MaxValue = Math.Max(1, progress.Total);
                    task.Value = progress.Delivered + progress.Failed;
                    task.Description = Markup.Escape(progress.Describe());
                    if (progress.IsFinished)
                    {
                        task.StopTask();
                        return;
                    }
                    await Task.Delay(pollInterval, cancellationToken);
                }
            });

        using (last)
        {
            var final = Progress.From(last!.RootElement);
            if (final.Failed > 0)
            {
                console.MarkupLineInterpolated($"[red]{final.Failed} rows failed at Libromi:[/]");
                foreach (var row in last.RootElement.GetProperty("failed_rows").GetProperty("items").EnumerateArray())
                {
                    console.MarkupLineInterpolated($"  line {row.GetProperty("line").GetInt32()}: {row.GetProperty("reason").GetString()}");
                }
            }
            if (final.Failed == 0 && rejected == 0)
            {
                console.MarkupLine("[green]Every row was delivered.[/]");
                return Success;
            }
            console.MarkupLineInterpolated($"[yellow]Not every row was imported: {rejected} rejected in the file, {final.Failed} failed at Libromi.[/]");
            return NotEveryRow;
        }
    }

    private static void PrintRowErrors(IAnsiConsole console, JsonDocument? body, string property)
    {
        if (body is null || !body.RootElement.TryGetProperty(property, out var errors) || errors.ValueKind != JsonValueKind.Array)
        {
            return;
        }
        foreach (var error in errors.EnumerateArray())
        {
            console.MarkupLineInterpolated($"  line {error.GetProperty("line").GetInt32()}, {error.GetProperty("field").GetString()}: {error.GetProperty("message").GetString()}");
        }
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return text.Length == 0 ? null : JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonDocument? body, string property) =>
        body is not null && body.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed class GatewayUnavailableException(string message) : Exception(message);
}

/// <summary>The fields of the progress document the command shows.</summary>
internal sealed record Progress(string Status, long Total, long Delivered, long Failed, long Pending, long? EtaSeconds)
{
    public bool IsFinished => Status is "completed" or "completed_with_failures";

    public static Progress From(JsonElement root) => new(
        root.GetProperty("status").GetString() ?? "",
        root.GetProperty("total").GetInt64(),
        root.GetProperty("delivered").GetInt64(),
        root.GetProperty("failed").GetInt64(),
        root.GetProperty("pending").GetInt64(),
        root.TryGetProperty("eta_seconds", out var eta) && eta.ValueKind == JsonValueKind.Number ? eta.GetInt64() : null);

    public string Describe()
    {
        var eta = EtaSeconds is { } seconds && Pending > 0 ? $", ETA {FormatDuration(TimeSpan.FromSeconds(seconds))}" : "";
        return $"{Status}: {Delivered} delivered, {Failed} failed, {Pending} pending of {Total}{eta}";
    }

    internal static string FormatDuration(TimeSpan duration) =>
        duration.TotalHours >= 1 ? $"{(int)duration.TotalHours}h {duration.Minutes:D2}m" : duration.TotalMinutes >= 1 ? $"{duration.Minutes}m {duration.Seconds:D2}s" : $"{duration.Seconds}s";
}

internal sealed record ImportArguments(string File, Uri Url, string Key, bool Strict, bool Watch, TimeSpan PollInterval, string ContentType)
{
    public static bool TryParse(string[] args, out ImportArguments arguments, out string error)
    {
        arguments = null!;
        if (args.Length < 2 || args[0] != "import")
        {
            error = "Expected the 'import' command and a file.";
            return false;
        }
        string? url = null, key = Environment.GetEnvironmentVariable("GATEWAY_API_KEY");
        bool strict = false, watch = false;
        var poll = TimeSpan.FromSeconds(2);
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--url" when i + 1 < args.Length: url = args[++i]; break;
                case "--key" when i + 1 < args.Length: key = args[++i]; break;
                case "--strict": strict = true; break;
                case "--watch": watch = true; break;
                case "--poll-seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
                    poll = TimeSpan.FromSeconds(seconds);
                    i++;
                    break;
                default:
                    error = $"Unknown or incomplete option '{args[i]}'.";
                    return false;
            }
        }
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            error = "--url must be the gateway's address, e.g. http://127.0.0.1:7071.";
            return false;
        }
        if (string.IsNullOrEmpty(key))
        {
            error = "--key (or GATEWAY_API_KEY) is required.";
            return false;
        }
        var contentType = Path.GetExtension(args[1]).ToLowerInvariant() switch
        {
            ".json" => "application/json",
            _ => "text/csv",
        };
        arguments = new ImportArguments(args[1], baseUrl, key, strict, watch, poll, contentType);
        error = "";
        return true;
    }
}
