using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Webhooks.DryRun;

/// <summary>
/// What an integration would make of a sample delivery (docs/integrations/README.md, "Test it with a sample"). The
/// answer of <c>POST /api/integrations/{name}/test</c> and the output of <c>gateway integrations test</c>, in
/// snake_case JSON (<see cref="JsonOptions"/>).
/// </summary>
/// <param name="Definition"><c>live</c> (the file in force) or <c>draft</c> (the definition sent with the sample).</param>
/// <param name="Outcome">
/// What the hook route would do with the delivery: <c>accepted</c> (202 with operations), <c>ignored</c> (202, no item
/// matched an operation), <c>invalid</c> (422 with <see cref="Errors"/>), <c>too_many_items</c> (422),
/// <c>operation_too_large</c> (413: one contact's operations outgrow a queue message),
/// <c>malformed_body</c> (400), <c>unsupported_media_type</c> (415), <c>unverified</c> (401),
/// <c>secret_unavailable</c> (503); for a logged delivery, <c>body_truncated</c> (the log kept only part of the body, so
/// nothing was mapped). Deduplication is not consulted: a dry run records nothing and reads no identity.
/// </param>
/// <param name="Errors">The 422's <c>errors</c> map, keyed <c>items[i].field</c>, exactly as a delivery gets it.</param>
/// <param name="Detail">The 400/413/415/422 detail for the outcomes that carry one, and why a logged body was not mapped (<c>body_truncated</c>).</param>
/// <param name="Delivery">The delivery of the delivery log the sample was read from (<c>delivery_id</c>); absent for a sample.</param>
public sealed record DryRunReport(
    string Integration,
    string Definition,
    VerificationReport Verification,
    string Outcome,
    string? Detail,
    IReadOnlyDictionary<string, string[]>? Errors,
    int ItemsFound,
    IReadOnlyList<ItemReport> Items,
    IReadOnlyList<UnresolvedPath> UnresolvedPaths,
    AttributeTypesReport AttributeTypes,
    LoggedDeliveryReport? Delivery = null)
{
    /// <summary>
    /// snake_case, nulls left out, indented, and "+" or quotes in values written as themselves: the report is read by
    /// people first. It is only ever served as <c>application/json</c> with <c>nosniff</c>, never embedded in HTML.
    /// </summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };
}

/// <summary>
/// The logged delivery a dry run read its sample from: its id, the integration it was logged for (which may differ from
/// the one tested: a fixed definition can be tried on another integration's payload), how the hook route answered it,
/// and what of its body the log kept. <see cref="Note"/> says, in words, what the dry run could not test.
/// </summary>
/// <param name="BodyBytes">The size of the body as delivered.</param>
/// <param name="BodyBytesKept">What the log kept of it: all of it, unless <see cref="BodyTruncated"/>.</param>
public sealed record LoggedDeliveryReport(
    string DeliveryId,
    string Integration,
    DateTimeOffset ReceivedAt,
    string Outcome,
    string? ContentType,
    int BodyBytes,
    int BodyBytesKept,
    bool BodyTruncated,
    string Note);

/// <param name="Verdict">
/// <c>verified</c>; <c>failed</c> (a delivery would be refused 401 for <see cref="Reason"/>); <c>skipped</c> (the sample is
/// unsigned: it carries none of the scheme's headers, or it was read from the delivery log, which keeps no headers, so
/// only the mapping was tested); <c>secret_unavailable</c> (the
/// gateway cannot read the secret named <see cref="SecretName"/>).
/// </param>
public sealed record VerificationReport(string Verdict, string Scheme, string? Reason, string? Detail, string? SecretName);

/// <param name="Contacts">What would be queued for the item: one entry per contact, its steps in order (null when the delivery is refused).</param>
public sealed record ItemReport(int Index, DeliveryIdReport DeliveryId, bool Ignored, IReadOnlyList<OperationReport> Operations, IReadOnlyList<ContactReport>? Contacts);

/// <param name="Source"><c>webhook-id</c>, <c>header</c>, <c>path</c> or <c>body-sha256</c> (docs/integrations/README.md, Deduplication identity).</param>
public sealed record DeliveryIdReport(string Source, string Key);

/// <param name="Kind"><c>upsert_contact</c>, <c>assign_staff</c> or <c>trigger_scenario</c>.</param>
/// <param name="When">How the operation's <c>when</c> was decided; absent when it has none.</param>
/// <param name="Values">Each value the operation read (<c>phone_number</c>, <c>attributes.&lt;name&gt;</c>, <c>staff_email</c>); empty when it did not match.</param>
public sealed record OperationReport(int Index, string Kind, bool Matched, WhenReport? When, IReadOnlyList<ValueReport> Values);

/// <param name="Test"><c>equals</c>, <c>in</c> or <c>exists</c>.</param>
/// <param name="Expected">The value (<c>equals</c>), the list (<c>in</c>) or the boolean (<c>exists</c>) of the file.</param>
/// <param name="Resolved">False when the path matched nothing in the item.</param>
public sealed record WhenReport(string Path, string Test, JsonNode? Expected, bool Resolved, JsonNode? Found, bool Matched);

/// <param name="Source">The path, or <c>{ "value": ... }</c> for a literal.</param>
/// <param name="Resolved">False when the path matched nothing: an attribute is then left out of the call; a phone number or staff email is an error.</param>
public sealed record ValueReport(string Field, string Source, bool Resolved, JsonNode? Value);

public sealed record ContactReport(string PhoneNumber, IReadOnlyList<OperationStep> Steps);

/// <summary>A path of the definition that matched nothing in an item.</summary>
/// <param name="Operation">The operation's index, or null for the integration's own <c>delivery_id</c>.</param>
/// <param name="Field"><c>when</c>, <c>phone_number</c>, <c>staff_email</c>, <c>attributes.&lt;name&gt;</c> or <c>delivery_id</c>.</param>
public sealed record UnresolvedPath(int Item, int? Operation, string Field, string Path);

/// <summary>The mapped attribute values checked against the attribute definitions learned from Libromi.</summary>
/// <param name="Warnings">Values that cannot be of their attribute's type, and read-only attributes: Libromi would refuse them with a 422.</param>
/// <param name="Unknown">Mapped attributes this gateway has never seen on a contact: unknown, not wrong.</param>
/// <param name="SampleContact">What reading the sample contact (<c>sample_phone</c>) came to, when one was named.</param>
public sealed record AttributeTypesReport(IReadOnlyList<AttributeWarning> Warnings, IReadOnlyList<string> Unknown, SampleContactReport? SampleContact);

/// <param name="Field">The key a Libromi 422 would come back under in a dead letter, e.g. <c>items[0].attributes.age</c>.</param>
public sealed record AttributeWarning(int Item, string Field, string Attribute, string FieldType, bool IsReadOnly, string Problem);

/// <param name="Status"><c>read</c> (Libromi answered; <see cref="AttributesLearned"/> definitions), or why not: <c>invalid_phone</c>, <c>paused</c>, <c>circuit_open</c>, <c>no_permit</c>, <c>failed</c>, <c>not_available</c>.</param>
public sealed record SampleContactReport(string Status, string Detail, int AttributesLearned = 0);
