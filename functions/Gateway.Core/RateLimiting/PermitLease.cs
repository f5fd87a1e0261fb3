using System.Threading.RateLimiting;

namespace Libromi.Gateway.RateLimiting;

/// <summary>
/// The lease the gateway's limiters hand out: acquired, or refused with when to try again and, when the account is
/// paused after a 429, until when (<see cref="FleetRateLimiter.PausedUntil"/>).
/// </summary>
internal sealed class PermitLease(bool isAcquired, TimeSpan? retryAfter, DateTimeOffset? pausedUntil) : RateLimitLease
{
    public static PermitLease Acquired { get; } = new(true, null, null);

    public static PermitLease Refused(TimeSpan? retryAfter, DateTimeOffset? pausedUntil = null) => new(false, retryAfter, pausedUntil);

    public override bool IsAcquired { get; } = isAcquired;

    public override IEnumerable<string> MetadataNames =>
        [.. retryAfter is null ? [] : new[] { MetadataName.RetryAfter.Name }, .. pausedUntil is null ? [] : new[] { FleetRateLimiter.PausedUntil.Name }];

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter
            : metadataName == FleetRateLimiter.PausedUntil.Name ? pausedUntil
            : null;
        return metadata is not null;
    }
}
