
namespace Libromi.Gateway.Webhooks;

/// <summary>What became of one verified-or-not delivery; <see cref="WebhooksApi"/> turns it into the HTTP answer.</summary>
public abstract record HookOutcome
{
    private HookOutcome() { }

    /// <summary>202: every new item's operations are stored (one id per contact), nothing else was.</summary>
    public sealed record Accepted(IReadOnlyList<string> OperationIds, int Ignored, int Duplicates) : HookOutcome;

    /// <summary>200: every item with operations was seen before; nothing was enqueued.</summary>
    public sealed record Duplicate(int Ignored, int Duplicates) : HookOutcome;

    /// <summary>401: the sender's signature or credentials do not verify.</summary>
    public sealed record Unverified(VerificationResult.Failed Failure) : HookOutcome;

    /// <summary>503: the integration's secret cannot be read; the gateway's fault, so the sender retries.</summary>
    public sealed record SecretUnavailable : HookOutcome;

    /// <summary>400 or 415.</summary>
    public sealed record Malformed(MappingResult.MalformedBody Problem) : HookOutcome;

    /// <summary>422, with the mapper's <c>items[i].field</c> errors.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : HookOutcome;

    /// <summary>422: more items than one delivery may hold.</summary>
    public sealed record TooManyItems(int Count, int Limit) : HookOutcome;

    /// <summary>413: one item's operations for one contact outgrow a queue message; nothing was stored.</summary>
    public sealed record OperationTooLarge(int ItemIndex, int JsonBytes, int LimitBytes) : HookOutcome;

    /// <summary>503: storage did not take the whole delivery, so none of it counts as accepted.</summary>
    public sealed record StorageUnavailable : HookOutcome;
}
