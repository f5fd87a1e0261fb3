using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// What a verified delivery asks for. A delivery is accepted whole or not at all (docs/integrations/README.md), so one bad item makes
/// the whole delivery <see cref="Invalid"/>; items that match no operation are not errors, they are ignored.
/// </summary>
public abstract record MappingResult
{
    private MappingResult() { }

    /// <summary>Every item, in body order. Enqueue the operations of the items whose identity is new.</summary>
    public sealed record Mapped(IReadOnlyList<MappedItem> Items) : MappingResult
    {
        public int IgnoredCount => Items.Count(i => i.IsIgnored);

        public IEnumerable<ContactOperations> AllOperations => Items.SelectMany(i => i.Operations);
    }

    /// <summary>
    /// 422: the body parsed but an item cannot be mapped. <paramref name="Errors"/> is keyed like
    /// <c>items[3].phone_number</c> (index in the delivery's item list, 0 for a single-object body), as the problem
    /// response's <c>errors</c> map.
    /// </summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : MappingResult;

    /// <summary>
    /// 422: the delivery holds more items than one delivery may (<c>Gateway:Hooks:MaxItemsPerDelivery</c>). Each item
    /// is a queue write before the answer and an hour of quota may hide in one body; the sender must split it.
    /// </summary>
    public sealed record TooManyItems(int Count, int Limit) : MappingResult;

    /// <summary>400 (<see cref="MalformedBodyReason.Unreadable"/>) or 415 (<see cref="MalformedBodyReason.UnsupportedContentType"/>).</summary>
    public sealed record MalformedBody(MalformedBodyReason Reason, string Detail) : MappingResult;
}

public enum MalformedBodyReason
{
    Unreadable,
    UnsupportedContentType,
}

/// <summary>
/// One item of a delivery: its identity for deduplication and the operations it produced, one
/// <see cref="ContactOperations"/> per distinct phone number, in file order. No operations means ignored.
/// </summary>
public sealed record MappedItem(int Index, DeliveryIdentity Identity, IReadOnlyList<ContactOperations> Operations)
{
    public bool IsIgnored => Operations.Count == 0;
}

/// <summary>
/// The deduplication identity of one item. <see cref="Key"/> is safe as an Azure Table row key (no <c>/ \ # ?</c> or
/// control characters, at most 256 characters): values that are not are replaced by their SHA-256. Keys are unique
/// within an integration, not across integrations: store them under the integration's name.
/// </summary>
/// <param name="Source">
/// Where the identity came from: <c>webhook-id</c>, <c>header</c> (<c>delivery_id.header</c>), <c>path</c>
/// (<c>delivery_id.path</c>, or HubSpot's <c>eventId</c>), or <c>body-sha256</c> when the sender gives none.
/// </param>
public sealed record DeliveryIdentity(string Source, string Key);
