namespace Libromi.Gateway.Libromi;

/// <summary>
/// What one Libromi call came to, classified as docs/libromi-api.md tabulates it. Outcomes are values:
/// the processor decides from them whether to complete, requeue, pause or dead-letter.
/// </summary>
public abstract record LibromiOutcome
{
    private LibromiOutcome() { }

    /// <summary>Libromi's answer, truncated, for dead-letter records and logs. Never contains the token.</summary>
    public string? ResponseBody { get; init; }

    /// <summary>HTTP status, or null when no response arrived (timeout, connection error, open circuit).</summary>
    public int? StatusCode { get; init; }

    /// <summary>2xx: done.</summary>
    public sealed record Delivered : LibromiOutcome;

    /// <summary>429: pause all sending. <see cref="RetryAfter"/> is the server's hint (header first, then body), if any.</summary>
    public sealed record RateLimited(TimeSpan? RetryAfter) : LibromiOutcome;

    /// <summary>5xx, timeout, connection failure, open circuit: try again later.</summary>
    public sealed record Transient(string Reason) : LibromiOutcome;

    /// <summary>401/403: a configuration fault, never the message's. The client has re-read the token once.</summary>
    public sealed record AuthFault(string Reason) : LibromiOutcome
    {
        /// <summary>
        /// The re-read found a different token than the one Libromi refused (it was rotated), so one more call may
        /// succeed. The client does not make that call itself: it is another request against the account's limit,
        /// so the caller makes it with a permit of its own (<c>OperationProcessor</c>).
        /// </summary>
        public bool TokenReplaced { get; init; }
    }

    /// <summary>400/404/422 (and other 4xx): permanent for this message.</summary>
    public sealed record Rejected(string Reason, IReadOnlyDictionary<string, string[]>? FieldErrors) : LibromiOutcome;
}
