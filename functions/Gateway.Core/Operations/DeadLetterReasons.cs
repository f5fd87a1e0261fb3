namespace Libromi.Gateway.Operations;

/// <summary>
/// Why an operation was dead-lettered, as stored in its <see cref="DeadLetterRecord"/> and filtered on by the
/// dead-letter routes: Libromi refused it for good, its attempts ran out, or its message could not be read.
/// </summary>
public static class DeadLetterReasons
{
    public const string Rejected = "rejected";
    public const string Exhausted = "exhausted";
    public const string Unreadable = "unreadable";
}
