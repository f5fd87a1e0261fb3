namespace Libromi.Gateway.Operations;

/// <summary>
/// Why an operation was dead-lettered, as stored in its <see cref="DeadLetterRecord"/> and filtered on by the
/// dead-letter routes: Libromi refused it for good, its attempts ran out, its message could not be read, or a
/// scenario POST's answer was never recorded.
/// </summary>
public static class DeadLetterReasons
{
    public const string Rejected = "rejected";
    public const string Exhausted = "exhausted";
    public const string Unreadable = "unreadable";
    /// <summary>A scenario step an earlier run POSTed without recording the answer; not sent again (docs/scenarios.md).</summary>
    public const string OutcomeUnknown = "outcome_unknown";
}
