using Libromi.Gateway.EndToEnd.Fixtures;

namespace Libromi.Gateway.EndToEnd.Reliability;

/// <summary>
/// Looks for secrets where they must never be: every captured log record (message, structured state,
/// exception), problem bodies, dead-letter records and queue messages.
/// </summary>
internal static class SecretScan
{
    /// <summary>The places a secret was found, empty when none was (a list, so a failure names them all).</summary>
    public static async Task<List<string>> FindAsync(GatewayHost gateway, IReadOnlyCollection<string> secrets, IEnumerable<string>? otherTexts = null)
    {
        var found = new List<string>();
        foreach (var record in gateway.Logs.GetSnapshot())
        {
            var texts = new List<string?> { record.Message, record.Exception?.ToString() };
            texts.AddRange((record.StructuredState ?? []).Select(s => s.Value));
            if (texts.Any(text => ContainsAny(text, secrets)))
            {
                found.Add($"log record {record.Category}/{record.Id.Name}: {record.Message}");
            }
        }

        foreach (var deadLetter in await gateway.PeekDeadLettersAsync())
        {
            if (ContainsAny(deadLetter, secrets))
            {
                found.Add("dead letter: " + deadLetter);
            }
        }

        foreach (var message in await PeekQueueMessagesAsync(gateway))
        {
            if (ContainsAny(message, secrets))
            {
                found.Add("queue message: " + message);
            }
        }

        foreach (var text in otherTexts ?? [])
        {
            if (ContainsAny(text, secrets))
            {
                found.Add("response: " + text);
            }
        }

        return found;
    }

    /// <summary>Up to 32 visible messages of every gateway queue (the storage API's peek limit).</summary>
    public static async Task<List<string>> PeekQueueMessagesAsync(GatewayHost gateway)
    {
        var texts = new List<string>();
        foreach (var queue in gateway.Queues.All)
        {
            if (!(await queue.ExistsAsync()).Value)
            {
                continue;
            }
            var peeked = await queue.PeekMessagesAsync(32);
            texts.AddRange(peeked.Value.Select(m => m.Body.ToString()));
        }
        return texts;
    }

    public static bool ContainsAny(string? text, IEnumerable<string> secrets) =>
        text is not null && secrets.Any(secret => text.Contains(secret, StringComparison.Ordinal));
}
