namespace Libromi.Gateway.Configuration;

/// <summary>Settings of the gateway itself. Section <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Key for canonical operations and imports on the standalone host (header <c>x-functions-key</c> or query <c>code</c>).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Key for dead-letter, replay and other admin routes on the standalone host.</summary>
    public string? AdminKey { get; set; }

    /// <summary>Path of the integrations JSON file (per-source webhook endpoints).</summary>
    public string? IntegrationsFile { get; set; }

    /// <summary>Largest request body accepted by the JSON routes, in bytes.</summary>
    public int MaxRequestBodyBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// The longest ingest waits for one storage call before it answers 503 with <c>Retry-After</c> (default 5 s). A
    /// webhook sender gives up after about 10 s (GitHub) and retries; answering before that keeps a hung storage
    /// account from turning every delivery into two.
    /// </summary>
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
