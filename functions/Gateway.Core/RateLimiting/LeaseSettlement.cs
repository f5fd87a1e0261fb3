namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// What an instance did with a finished lease, reported with its next request to the ledger
/// (<see cref="RateLedger.Settle"/>): <paramref name="Used"/> permits were handed out, the last of them at
/// <paramref name="LastUsedAt"/> (null when none was); the rest were not used and can go back.
/// </summary>
public sealed record LeaseSettlement(string LeaseId, int Used, DateTimeOffset? LastUsedAt);
