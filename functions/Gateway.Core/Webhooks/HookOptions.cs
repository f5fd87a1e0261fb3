namespace Libromi.Gateway.Webhooks;

/// <summary>Settings of <c>POST /api/hooks/{integration}</c>. Section <c>Gateway:Hooks</c> (<c>Gateway__Hooks__*</c>).</summary>
public sealed class HookOptions
{
    public const string SectionName = "Gateway:Hooks";

    /// <summary>
    /// How long a delivery's identity counts as seen (default 24 h). Senders retry for hours, not days (HubSpot and
    /// Standard Webhooks senders give up within about a day), and an identity older than the window is delivered again.
    /// </summary>
    public TimeSpan DeduplicationWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Items one delivery may hold (default 100, HubSpot's largest batch). Every item is a queue write before the
    /// answer, and a 256 KB body could otherwise hold thousands: minutes of writes and hours of quota in one request.
    /// </summary>
    public int MaxItemsPerDelivery { get; set; } = 100;
}
