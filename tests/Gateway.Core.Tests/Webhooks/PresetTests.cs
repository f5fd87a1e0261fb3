using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Operations;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.Webhooks;

/// <summary>Each preset in docs/integrations/presets loads as shipped and maps a realistic delivery signed as its sender signs.</summary>
public sealed class PresetTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private static IntegrationDefinition Preset(string file, string name)
    {
        var path = Path.Combine(TestSupport.RepositoryRoot(), "docs", "integrations", "presets", file);
        return IntegrationsFile.Parse(File.ReadAllText(path), file)[name];
    }

    private async Task<MappingResult.Mapped> VerifyAndMap(IntegrationDefinition integration, WebhookRequest request, Dictionary<string, string> secrets)
    {
        Assert.IsType<VerificationResult.Verified>(await WebhookVerification.VerifyAsync(integration, request, new InMemorySecretSource(secrets), _time));
        return Assert.IsType<MappingResult.Mapped>(PayloadMapper.Map(integration, request));
    }

    [Fact]
    public void Every_preset_file_is_a_valid_integrations_file()
    {
        var presets = Directory.GetFiles(Path.Combine(TestSupport.RepositoryRoot(), "docs", "integrations", "presets"), "*.json");
        Assert.Equal(5, presets.Length);
        Assert.All(presets, p => Assert.Single(IntegrationsFile.Parse(File.ReadAllText(p), Path.GetFileName(p))));
    }

    [Fact]
    public async Task Standard_webhooks_preset_maps_a_signed_customer_event()
    {
        var shop = Preset("standard-webhooks-generic.json", "shop");
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        const string body = """{"events":[{"type":"customer.created","data":{"phone":"07700 900123","first_name":"Ana","accepts_marketing":true,"address":{"city":"Leeds"}}},{"type":"order.paid","data":{"id":5}}]}""";
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        var request = TestSupport.Json(body,
            ("webhook-id", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"),
            ("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture)),
            ("webhook-signature", StandardWebhooksVerifier.Sign(secret, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", timestamp, Encoding.UTF8.GetBytes(body))));

        var mapped = await VerifyAndMap(shop, request, new() { ["shop-webhook-secret"] = secret });

        var contact = Assert.Single(mapped.AllOperations);
        Assert.Equal("447700900123", contact.PhoneNumber.Digits);
        Assert.Equal("""{"first_name":"Ana","city":"Leeds","marketing_opt_in":true,"source":"shop"}""", contact.Steps[0].Attributes!.ToJsonString());
        Assert.Equal(1, mapped.IgnoredCount);
        Assert.Equal("webhook-id:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W:0", mapped.Items[0].Identity.Key);
    }

    [Fact]
    public async Task HubSpot_preset_maps_phone_changes_of_a_signed_batch_with_one_identity_per_event()
    {
        var hubspot = Preset("hubspot-contacts.json", "hubspot");
        const string clientSecret = "3f2b1c4d-1111-4a5b-9c8d-0123456789ab";
        const string body = """[{"eventId":1001,"subscriptionId":2,"portalId":62515,"appId":54321,"occurredAt":1772366390000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":511,"propertyName":"phone","propertyValue":"+44 7700 900123","changeSource":"CRM_UI"},{"eventId":1002,"subscriptionId":3,"portalId":62515,"appId":54321,"occurredAt":1772366390000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":512,"propertyName":"firstname","propertyValue":"Ana","changeSource":"CRM_UI"},{"eventId":1003,"subscriptionId":4,"portalId":62515,"appId":54321,"occurredAt":1772366390000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":513,"changeSource":"CRM_UI"}]""";
        var timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds();
        // HubSpot called the public address; the gateway, behind a proxy, saw another.
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(clientSecret),
            Encoding.UTF8.GetBytes($"POSThttps://gateway.example.com/api/hooks/hubspot{body}{timestamp}")));
        var request = WebhookRequest.Post(new Uri("http://gateway-internal:8080/api/hooks/hubspot"),
            WebhookHeaders.From(("X-HubSpot-Signature-v3", signature), ("X-HubSpot-Request-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture))),
            Encoding.UTF8.GetBytes(body), "application/json");

        var mapped = await VerifyAndMap(hubspot, request, new() { ["hubspot-client-secret"] = clientSecret });

        Assert.Equal(["path:1001", "path:1002", "path:1003"], mapped.Items.Select(i => i.Identity.Key));
        var contact = Assert.Single(mapped.AllOperations);
        Assert.Equal("447700900123", contact.PhoneNumber.Digits);
        Assert.Equal("""{"hubspot_contact_id":511}""", contact.Steps[0].Attributes!.ToJsonString());
        Assert.Equal(2, mapped.IgnoredCount);
    }

    [Fact]
    public async Task HubSpot_deal_stage_preset_triggers_the_scenario_with_a_flat_body_only_when_the_deal_is_won()
    {
        var deals = Preset("hubspot-deal-stage-scenario.json", "hubspot-deals");
        var secrets = new Dictionary<string, string> { ["hubspot-workflow-token"] = "hs-wf-8c1d" };
        const string won = """{"deal_stage_event_id":"77-closedwon","deal_id":"77","dealname":"Kit order","dealstage":"closedwon","amount":"1250.00","contact_firstname":"Asha","contact_phone":"+91 98765 43210"}""";

        var mapped = await VerifyAndMap(deals, TestSupport.Json(won, ("X-Gateway-Token", "hs-wf-8c1d")), secrets);

        var contact = Assert.Single(mapped.AllOperations);
        Assert.Equal("919876543210", contact.PhoneNumber.Digits);
        var step = Assert.Single(contact.Steps);
        Assert.Equal(OperationKind.TriggerScenario, step.Kind);
        Assert.Equal("order_confirmation", step.Scenario);
        Assert.Equal("""{"name":"Asha","order_id":"77","amount":"1250.00","source":"hubspot","phone_number":"919876543210"}""", step.Body!.ToJsonString());
        Assert.Equal("path:77-closedwon", mapped.Items[0].Identity.Key);

        var lost = won.Replace("\"dealstage\":\"closedwon\"", "\"dealstage\":\"closedlost\"", StringComparison.Ordinal);
        Assert.Equal(1, (await VerifyAndMap(deals, TestSupport.Json(lost, ("X-Gateway-Token", "hs-wf-8c1d")), secrets)).IgnoredCount);
    }

    [Fact]
    public async Task Pipedrive_preset_maps_a_person_event_sent_with_basic_credentials()
    {
        var pipedrive = Preset("pipedrive-persons.json", "pipedrive");
        const string body = """
            {"data":{"id":42,"name":"Ana Lima","first_name":"Ana","last_name":"Lima","owner_id":7,"org_id":null,
                     "phones":[{"label":"mobile","value":"+44 7700 900123","primary":true}],
                     "emails":[{"label":"work","value":"ana@example.com","primary":true}]},
             "previous":{"name":"Ana"},
             "meta":{"action":"change","entity":"person","entity_id":"42","id":"5b7b6c2e-8f9a-4c1d-9e2f-0a1b2c3d4e5f",
                     "timestamp":"2026-03-01T11:59:58.000Z","version":"2.0","change_source":"app","is_bulk_edit":false}}
            """;
        var request = TestSupport.Json(body, ("Authorization", "Basic " + Convert.ToBase64String("pipedrive:s3cret-pw"u8)));

        var mapped = await VerifyAndMap(pipedrive, request, new() { ["pipedrive-webhook-password"] = "s3cret-pw" });

        var contact = Assert.Single(mapped.AllOperations);
        Assert.Equal("447700900123", contact.PhoneNumber.Digits);
        Assert.Equal("""{"name":"Ana Lima","email":"ana@example.com","pipedrive_person_id":42}""", contact.Steps[0].Attributes!.ToJsonString());
        Assert.Equal("path:5b7b6c2e-8f9a-4c1d-9e2f-0a1b2c3d4e5f", mapped.Items[0].Identity.Key);

        // A deleted person (data null, no phone) is ignored, not an error that would make Pipedrive retry.
        var deleted = TestSupport.Json("""{"data":null,"previous":{"id":42},"meta":{"action":"delete","entity":"person","id":"e1"}}""",
            ("Authorization", "Basic " + Convert.ToBase64String("pipedrive:s3cret-pw"u8)));
        Assert.Equal(1, (await VerifyAndMap(pipedrive, deleted, new() { ["pipedrive-webhook-password"] = "s3cret-pw" })).IgnoredCount);
    }

    [Fact]
    public async Task Zapier_preset_maps_a_form_post_and_a_json_post_with_the_token_header()
    {
        var zapier = Preset("zapier-webhooks.json", "zapier");
        var secrets = new Dictionary<string, string> { ["zapier-token"] = "zap-3b9f0c2d7e" };

        var form = TestSupport.Form("phone=%2B1+555+123+4567&name=Sam+Lee&email=sam%40example.com&owner_email=ops%40example.com",
            ("X-Api-Key", "zap-3b9f0c2d7e"), ("X-Request-Id", "zap-run-1"));
        var fromForm = Assert.Single((await VerifyAndMap(zapier, form, secrets)).AllOperations);
        Assert.Equal("15551234567", fromForm.PhoneNumber.Digits);
        Assert.Equal([OperationKind.UpdateAttributes, OperationKind.AssignStaff], fromForm.Steps.Select(s => s.Kind));
        Assert.Equal("ops@example.com", fromForm.Steps[1].StaffEmail);

        var json = TestSupport.Json("""{"phone":"+15551234567","name":"Sam Lee"}""", ("X-Api-Key", "zap-3b9f0c2d7e"));
        var mapped = await VerifyAndMap(zapier, json, secrets);
        var fromJson = Assert.Single(mapped.AllOperations);
        Assert.Equal(OperationKind.UpdateAttributes, Assert.Single(fromJson.Steps).Kind);
        Assert.Equal("body-sha256", mapped.Items[0].Identity.Source);
    }
}
