using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Tests.Webhooks;

public sealed class PayloadMapperTests
{
    private static readonly IntegrationDefinition Shop = TestSupport.Integration("""
        {
          "verify": { "scheme": "standard-webhooks", "secret": "shop-orders-webhook-secret" },
          "items": "events",
          "default_country_code": "44",
          "operations": [
            { "when": { "path": "type", "equals": "customer.created" },
              "upsert_contact": { "phone_number": "data.phone",
                                  "attributes": { "city": "data.address.city", "source": { "value": "shop" } } } },
            { "when": { "path": "type", "equals": "customer.owner_changed" },
              "assign_staff": { "phone_number": "data.phone", "staff_email": "data.owner.email" } }
          ]
        }
        """);

    private static MappingResult.Mapped Mapped(MappingResult result) => Assert.IsType<MappingResult.Mapped>(result);

    private static string Attributes(ContactOperations operations, int step = 0) => operations.Steps[step].Attributes!.ToJsonString();

    [Fact]
    public void Each_element_of_the_items_array_is_mapped_by_its_own_filter()
    {
        var result = Mapped(PayloadMapper.Map(Shop, TestSupport.Json("""
            { "events": [
              { "type": "customer.created", "data": { "phone": "07700 900123", "address": { "city": "Leeds" } } },
              { "type": "customer.owner_changed", "data": { "phone": "+44 7700 900456", "owner": { "email": "ana@example.com" } } },
              { "type": "order.paid", "data": { "phone": "+44 7700 900789" } }
            ] }
            """, ("webhook-id", "msg_1"))));

        Assert.Equal(3, result.Items.Count);
        var created = Assert.Single(result.Items[0].Operations);
        Assert.Equal("447700900123", created.PhoneNumber.Digits);
        Assert.Equal(OperationKind.UpdateAttributes, Assert.Single(created.Steps).Kind);
        Assert.Equal("""{"city":"Leeds","source":"shop"}""", Attributes(created));

        var assigned = Assert.Single(result.Items[1].Operations);
        Assert.Equal("447700900456", assigned.PhoneNumber.Digits);
        Assert.Equal("ana@example.com", Assert.Single(assigned.Steps).StaffEmail);

        Assert.True(result.Items[2].IsIgnored);
        Assert.Equal(1, result.IgnoredCount);
    }

    [Fact]
    public void Operations_for_the_same_phone_in_one_item_become_one_contact_operation_in_file_order()
    {
        var integration = TestSupport.Integration("""
            { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" },
              "operations": [
                { "upsert_contact": { "phone_number": "phone", "attributes": { "city": "city" } } },
                { "assign_staff": { "phone_number": "phone", "staff_email": "owner" } },
                { "upsert_contact": { "phone_number": "other_phone" } }
              ] }
            """);
        var result = Mapped(PayloadMapper.Map(integration, TestSupport.Json("""
            { "phone": "+15551234567", "city": "Boston", "owner": "sam@example.com", "other_phone": "+15557654321" }
            """)));

        var item = Assert.Single(result.Items);
        Assert.Equal(2, item.Operations.Count);
        Assert.Equal([OperationKind.UpdateAttributes, OperationKind.AssignStaff], item.Operations[0].Steps.Select(s => s.Kind));
        Assert.Equal("15557654321", item.Operations[1].PhoneNumber.Digits);
        Assert.Equal(OperationKind.EnsureContact, Assert.Single(item.Operations[1].Steps).Kind);
    }

    [Fact]
    public void Adjacent_attribute_updates_for_one_contact_merge_into_one_call()
    {
        var integration = TestSupport.Integration("""
            { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" },
              "operations": [
                { "upsert_contact": { "phone_number": "phone", "attributes": { "a": { "value": 1 } } } },
                { "upsert_contact": { "phone_number": "phone", "attributes": { "b": { "value": 2 } } } }
              ] }
            """);
        var operations = Assert.Single(Mapped(PayloadMapper.Map(integration, TestSupport.Json("""{ "phone": "+15551234567" }"""))).Items[0].Operations);
        Assert.Single(operations.Steps);
        Assert.Equal("""{"a":1,"b":2}""", Attributes(operations));
    }

    [Fact]
    public void A_top_level_array_is_a_list_of_items_without_any_items_setting()
    {
        var integration = TestSupport.Integration("""
            { "verify": { "scheme": "hubspot-v3", "secret": "hubspot-app-secret" },
              "operations": [ { "when": { "path": "propertyName", "in": ["phone", "mobilephone"] },
                                "upsert_contact": { "phone_number": "propertyValue", "attributes": { "hubspot_id": "objectId" } } } ] }
            """);
        var result = Mapped(PayloadMapper.Map(integration, TestSupport.Json("""
            [ { "eventId": 1, "objectId": 11, "propertyName": "phone", "propertyValue": "+447700900001" },
              { "eventId": 2, "objectId": 12, "propertyName": "firstname", "propertyValue": "Ana" },
              { "eventId": 3, "objectId": 13, "propertyName": "mobilephone", "propertyValue": "+447700900003" } ]
            """)));

        Assert.Equal(3, result.Items.Count);
        Assert.Equal(["447700900001", "447700900003"], result.AllOperations.Select(o => o.PhoneNumber.Digits));
        Assert.Equal("""{"hubspot_id":11}""", Attributes(result.Items[0].Operations[0]));
        Assert.Equal(["path:1", "path:2", "path:3"], result.Items.Select(i => i.Identity.Key));
    }

    [Theory]
    [InlineData("""{ "path": "status", "exists": true }""", """{ "status": "x", "phone": "+15551234567" }""", true)]
    [InlineData("""{ "path": "status", "exists": true }""", """{ "status": null, "phone": "+15551234567" }""", false)]
    [InlineData("""{ "path": "status", "exists": false }""", """{ "phone": "+15551234567" }""", true)]
    [InlineData("""{ "path": "count", "equals": 1 }""", """{ "count": "1", "phone": "+15551234567" }""", true)]
    [InlineData("""{ "path": "count", "equals": 1 }""", """{ "count": 1.0, "phone": "+15551234567" }""", true)]
    [InlineData("""{ "path": "count", "equals": 1 }""", """{ "count": 2, "phone": "+15551234567" }""", false)]
    [InlineData("""{ "path": "vip", "equals": true }""", """{ "vip": "true", "phone": "+15551234567" }""", true)]
    [InlineData("""{ "path": "stage", "in": ["lead", "customer"] }""", """{ "stage": "customer", "phone": "+15551234567" }""", true)]
    [InlineData("""{ "path": "stage", "in": ["lead", "customer"] }""", """{ "stage": "Customer", "phone": "+15551234567" }""", false)]
    [InlineData("""{ "path": "stage", "equals": "lead" }""", """{ "phone": "+15551234567" }""", false)]
    public void Filters_decide_whether_an_operation_applies(string when, string body, bool applies)
    {
        var integration = TestSupport.Integration($$"""
            { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" },
              "operations": [ { "when": {{when}}, "upsert_contact": { "phone_number": "phone" } } ] }
            """);
        var item = Assert.Single(Mapped(PayloadMapper.Map(integration, TestSupport.Json(body))).Items);
        Assert.Equal(applies, !item.IsIgnored);
    }

    [Fact]
    public void Numeric_segments_index_arrays()
    {
        var integration = TestSupport.Integration("""
            { "verify": { "scheme": "basic", "username": "pipedrive", "secret": "password" },
              "operations": [ { "upsert_contact": { "phone_number": "data.phones.1.value", "attributes": { "email": "data.emails.0.value" } } } ] }
            """);
        var operations = Assert.Single(Mapped(PayloadMapper.Map(integration, TestSupport.Json("""
            { "data": { "phones": [ { "value": "+15550000000" }, { "value": "+15551234567" } ], "emails": [ { "value": "a@b.com" } ] } }
            """))).AllOperations);
        Assert.Equal("15551234567", operations.PhoneNumber.Digits);
        Assert.Equal("""{"email":"a@b.com"}""", Attributes(operations));
    }

    [Fact]
    public void Attribute_values_pass_through_as_json_and_missing_paths_are_omitted_not_removed()
    {
        var integration = TestSupport.Integration("""
            { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" },
              "operations": [ { "upsert_contact": { "phone_number": "phone", "attributes": {
                  "age": "age", "vip": "vip", "languages": "languages", "nickname": "nickname", "city": "address.city",
                  "tier": { "value": "gold" }, "score": { "value": 7 } } } } ] }
            """);
        var operations = Assert.Single(Mapped(PayloadMapper.Map(integration, TestSupport.Json("""
            { "phone": 15551234567, "age": 31, "vip": true, "languages": ["english", "welsh"], "nickname": null }
            """))).AllOperations);
        Assert.Equal("15551234567", operations.PhoneNumber.Digits);
        Assert.Equal("""{"age":31,"vip":true,"languages":["english","welsh"],"nickname":null,"tier":"gold","score":7}""", Attributes(operations));
    }

    [Fact]
    public void An_object_mapped_to_an_attribute_refuses_the_delivery_naming_item_and_attribute()
    {
        var result = Assert.IsType<MappingResult.Invalid>(PayloadMapper.Map(Shop, TestSupport.Json("""
            { "events": [ { "type": "customer.created", "data": { "phone": "+447700900123", "address": { "city": { "name": "Leeds" } } } } ] }
            """)));
        var message = Assert.Single(result.Errors["items[0].attributes.city"]);
        Assert.Contains("JSON object", message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_item_with_a_bad_phone_refuses_the_whole_delivery_and_names_the_item()
    {
        var result = Assert.IsType<MappingResult.Invalid>(PayloadMapper.Map(Shop, TestSupport.Json("""
            { "events": [
              { "type": "customer.created", "data": { "phone": "+447700900123" } },
              { "type": "order.paid" },
              { "type": "customer.created", "data": { "phone": "12345" } },
              { "type": "customer.owner_changed", "data": { "owner": { "email": "ana@example.com" } } }
            ] }
            """)));
        Assert.Equal(["items[2].phone_number", "items[3].phone_number"], result.Errors.Keys.Order());
        Assert.Contains("7 to 15 digits", result.Errors["items[2].phone_number"][0], StringComparison.Ordinal);
        Assert.Contains("data.phone", result.Errors["items[3].phone_number"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Assignment_without_a_usable_staff_email_is_an_item_error()
    {
        var result = Assert.IsType<MappingResult.Invalid>(PayloadMapper.Map(Shop, TestSupport.Json("""
            { "events": [ { "type": "customer.owner_changed", "data": { "phone": "+447700900123", "owner": { "email": 17 } } } ] }
            """)));
        Assert.True(result.Errors.ContainsKey("items[0].staff_email"));
    }

    [Fact]
    public void Missing_items_array_is_a_validation_failure()
    {
        var result = Assert.IsType<MappingResult.Invalid>(PayloadMapper.Map(Shop, TestSupport.Json("""{ "event": {} }""")));
        Assert.Contains("events", result.Errors["items"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_items_array_maps_to_nothing_to_do()
    {
        Assert.Empty(Mapped(PayloadMapper.Map(Shop, TestSupport.Json("""{ "events": [] }"""))).Items);
    }

    [Theory]
    [InlineData("{ \"events\": [", "application/json", MalformedBodyReason.Unreadable)]
    [InlineData("", "application/json", MalformedBodyReason.Unreadable)]
    [InlineData("<xml/>", "application/xml", MalformedBodyReason.UnsupportedContentType)]
    [InlineData("--b\r\n", "multipart/form-data; boundary=b", MalformedBodyReason.UnsupportedContentType)]
    public void Unreadable_bodies_and_unsupported_content_types_are_malformed(string body, string contentType, MalformedBodyReason reason)
    {
        var request = WebhookRequest.Post(TestSupport.HookUri, WebhookHeaders.Empty, Encoding.UTF8.GetBytes(body), contentType);
        Assert.Equal(reason, Assert.IsType<MappingResult.MalformedBody>(PayloadMapper.Map(Shop, request)).Reason);
    }

    [Fact]
    public void Json_with_a_charset_or_a_vendor_suffix_or_no_content_type_is_read_as_json()
    {
        foreach (var contentType in new[] { "application/json; charset=utf-8", "application/vnd.shop+json", null })
        {
            var request = WebhookRequest.Post(TestSupport.HookUri, WebhookHeaders.Empty, Encoding.UTF8.GetBytes("""{ "events": [] }"""), contentType);
            Assert.IsType<MappingResult.Mapped>(PayloadMapper.Map(Shop, request));
        }
    }

    [Fact]
    public void Form_posts_map_like_a_flat_object_with_repeated_fields_as_arrays()
    {
        var integration = TestSupport.Integration("""
            { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" },
              "operations": [ { "when": { "path": "consent", "equals": true },
                                "upsert_contact": { "phone_number": "phone", "attributes": { "name": "name", "interests": "interest" } } } ] }
            """);
        var operations = Assert.Single(Mapped(PayloadMapper.Map(integration, TestSupport.Form(
            "phone=%2B44+7700+900123&name=Ana+Lima&interest=books&interest=tea&consent=true"))).AllOperations);
        Assert.Equal("447700900123", operations.PhoneNumber.Digits);
        Assert.Equal("""{"name":"Ana Lima","interests":["books","tea"]}""", Attributes(operations));
    }

    [Fact]
    public void Standard_webhooks_deliveries_are_identified_by_webhook_id_per_item()
    {
        var result = Mapped(PayloadMapper.Map(Shop, TestSupport.Json("""{ "events": [ {}, {} ] }""", ("webhook-id", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"))));
        Assert.Equal(["webhook-id:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W:0", "webhook-id:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W:1"], result.Items.Select(i => i.Identity.Key));
        Assert.All(result.Items, i => Assert.Equal("webhook-id", i.Identity.Source));
    }

    [Fact]
    public void Configured_header_identity_is_used_and_unsafe_values_are_hashed()
    {
        var integration = TestSupport.Integration("""
            { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" },
              "delivery_id": { "header": "X-Request-Id" },
              "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] }
            """);
        const string body = """{ "phone": "+15551234567" }""";
        var plain = Mapped(PayloadMapper.Map(integration, TestSupport.Json(body, ("X-Request-Id", "req-42")))).Items[0].Identity;
        var unsafeId = Mapped(PayloadMapper.Map(integration, TestSupport.Json(body, ("X-Request-Id", "a/b#c?")))).Items[0].Identity;

        Assert.Equal(new DeliveryIdentity("header", "header:req-42"), plain);
        Assert.Equal("header:sha256-" + Convert.ToHexStringLower(SHA256.HashData("a/b#c?"u8)), unsafeId.Key);
    }

    [Fact]
    public void Without_any_identity_the_body_hash_is_used_so_a_resent_body_is_recognised()
    {
        var integration = TestSupport.Integration("""
            { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" },
              "delivery_id": { "path": "id" },
              "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] }
            """);
        const string body = """{ "phone": "+15551234567" }""";
        var identity = Mapped(PayloadMapper.Map(integration, TestSupport.Json(body))).Items[0].Identity;
        var again = Mapped(PayloadMapper.Map(integration, TestSupport.Json(body))).Items[0].Identity;

        Assert.Equal("body-sha256", identity.Source);
        Assert.Equal("body-sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))), identity.Key);
        Assert.Equal(identity, again);
        Assert.Equal("path:77", Mapped(PayloadMapper.Map(integration, TestSupport.Json("""{ "id": 77, "phone": "+15551234567" }"""))).Items[0].Identity.Key);
    }

    [Fact]
    public void Mapping_never_shares_json_nodes_with_the_file_definition()
    {
        var integration = TestSupport.Integration("""
            { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" },
              "operations": [ { "upsert_contact": { "phone_number": "phone", "attributes": { "tags": { "value": ["a"] } } } } ] }
            """);
        var first = Mapped(PayloadMapper.Map(integration, TestSupport.Json("""{ "phone": "+15551234567" }""")));
        ((JsonArray)first.AllOperations.Single().Steps[0].Attributes!["tags"]!).Add("mutated");
        var second = Mapped(PayloadMapper.Map(integration, TestSupport.Json("""{ "phone": "+15551234567" }""")));
        Assert.Equal("""{"tags":["a"]}""", second.AllOperations.Single().Steps[0].Attributes!.ToJsonString());
    }

    [Fact]
    public void More_items_than_the_limit_is_refused_before_any_item_is_mapped()
    {
        var events = string.Join(",", Enumerable.Range(0, 4).Select(i => $$"""{ "type": "customer.created", "data": { "phone": "not a phone {{i}}" } }"""));

        var result = PayloadMapper.Map(Shop, TestSupport.Json($$"""{ "events": [{{events}}] }"""), maxItems: 3);

        // Not Invalid: the unparseable phones were never looked at.
        Assert.Equal(new MappingResult.TooManyItems(4, 3), result);
    }

    [Fact]
    public void Exactly_the_limit_of_items_is_mapped()
    {
        var events = string.Join(",", Enumerable.Range(0, 3).Select(i => $$"""{ "type": "customer.created", "data": { "phone": "+44770090010{{i}}" } }"""));

        Assert.Equal(3, Mapped(PayloadMapper.Map(Shop, TestSupport.Json($$"""{ "events": [{{events}}] }"""), maxItems: 3)).Items.Count);
    }
}
