using System.Text.Json.Nodes;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// One verification scheme, in one place: its name and its fields in the integrations file, how its settings are read
/// from them, its verifier, the delivery identity it gives when the file names none, and the challenge a refused
/// delivery's 401 carries. The file validator, the verification, the mapper's identities and the hook route's answer
/// all ask the scheme; <c>IntegrationsSchemaTests</c> compares <see cref="Fields"/> and <see cref="RequiredFields"/>
/// with <c>schemas/integrations.schema.json</c>. Adding a scheme is one subclass, listed in <see cref="All"/>, and its
/// block in the JSON Schema.
/// </summary>
public abstract class VerificationScheme
{
    /// <summary>The fields every scheme's <c>verify</c> block has besides its own.</summary>
    public static IReadOnlyList<string> CommonFields { get; } = ["scheme", "secret", "previous_secret"];

    public static IReadOnlyList<VerificationScheme> All { get; } =
    [
        StandardWebhooksScheme.Instance,
        HmacSha256Scheme.Instance,
        HubSpotV3Scheme.Instance,
        BasicScheme.Instance,
        HeaderTokenScheme.Instance,
    ];

    /// <summary>The <c>scheme</c> value in the file, e.g. <c>standard-webhooks</c>; also the <c>scheme</c> of a 401's problem.</summary>
    public abstract string Name { get; }

    /// <summary>The scheme's own fields of the <c>verify</c> block, besides <see cref="CommonFields"/>.</summary>
    public abstract IReadOnlyList<string> Fields { get; }

    /// <summary>Those of <see cref="Fields"/> a definition must set.</summary>
    public virtual IReadOnlyList<string> RequiredFields => [];

    public abstract IWebhookVerifier Verifier { get; }

    /// <summary>Where a delivery's identity comes from when the integration sets no <c>delivery_id</c>; null: the body's hash.</summary>
    public virtual DeliveryIdSource? DefaultDeliveryId => null;

    /// <summary>The source an identity read from <paramref name="header"/> is recorded under (docs/integrations/README.md, Deduplication identity).</summary>
    public virtual string IdentitySource(DeliveryIdSource.Header header) => "header";

    /// <summary>The <c>WWW-Authenticate</c> challenge of a refused delivery's 401, for schemes whose senders expect one.</summary>
    public virtual string? Challenge => null;

    /// <summary>The scheme named <paramref name="name"/> (exact, as in the file), or null.</summary>
    public static VerificationScheme? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// Reads the scheme's own fields of a <c>verify</c> block whose secret names are already read; every problem goes to
    /// <paramref name="block"/>, named by its field. Null when the block is invalid.
    /// </summary>
    internal abstract VerificationSettings? ReadSettings(VerifyBlock block, string secret, string? previousSecret);

    public override string ToString() => Name;
}

/// <summary>One <c>verify</c> block being read by the integrations file's validator, so a scheme reads its fields with the validator's rules and messages.</summary>
internal sealed class VerifyBlock(IntegrationsFile.Reader reader, JsonObject block, string location)
{
    /// <summary>The block's location, e.g. <c>integrations.shop.verify</c>.</summary>
    public string Field => location;

    public bool Has(string name) => block.ContainsKey(name);

    public JsonNode? this[string name] => block[name];

    public string? RequiredString(string name) => reader.RequiredString(block, name, location);

    public string? OptionalString(string name) => reader.OptionalString(block, name, location);

    public string? RequiredHeaderName(string name) => reader.RequiredHeaderName(block, name, location);

    public void Error(string name, string problem) => reader.Error($"{location}.{name}", problem);
}
