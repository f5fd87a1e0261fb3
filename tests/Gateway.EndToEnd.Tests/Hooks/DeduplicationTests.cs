using System.Net;
using System.Text.Json.Nodes;
using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;
using Libromi.Gateway.Webhooks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.EndToEnd.Hooks;

/// <summary>Redelivered webhooks cost no quota twice, and a delivery refused for a storage outage is taken on redelivery.</summary>
public sealed class DeduplicationTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Second_identical_delivery_is_200_duplicate_and_Libromi_is_called_once()
    {
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture);
        var phone = WebhookDeliveryTests.NewPhone();
        var body = $$$"""{"events":[{"type":"customer.created","data":{"phone":"{{{phone}}}","first_name":"Fay"}}]}""";
        var headers = Senders.StandardWebhooks(HookGateway.ShopSecret, $"msg_{Guid.NewGuid():N}", DateTimeOffset.UtcNow, body);

        var first = await Senders.PostAsync(gateway.BaseAddress, "shop", body, "application/json", headers);
        var second = await Senders.PostAsync(gateway.BaseAddress, "shop", body, "application/json", headers);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var answer = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;
        Assert.True(answer["duplicate"]!.GetValue<bool>());
        Assert.Empty(answer["operation_ids"]!.AsArray());
        Assert.Equal(1, answer["duplicates"]!.GetValue<int>());
        Assert.Equal(1, gateway.OperationsAccepted());
        await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetRequestsAsync(), r => r.Count >= 1, "the first delivery at the simulator");
    }

    [Fact]
    public async Task Body_hash_identity_dedupes_a_sender_that_gives_no_id()
    {
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture);
        var body = $$"""{"phone":"{{WebhookDeliveryTests.NewPhone()}}","first_name":"Gus"}""";
        var signature = ("X-Shopify-Hmac-Sha256", Senders.ShopifySignature(HookGateway.ShopifySecret, body));

        var first = await Senders.PostAsync(gateway.BaseAddress, "shopify", body, "application/json", signature);
        var second = await Senders.PostAsync(gateway.BaseAddress, "shopify", body, "application/json", signature);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(1, gateway.OperationsAccepted());
    }

    [Fact]
    public async Task Batch_that_is_partly_new_enqueues_only_its_new_items()
    {
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture);
        var (a, b) = (WebhookDeliveryTests.NewPhone(), WebhookDeliveryTests.NewPhone());
        var eventId = Random.Shared.NextInt64(10_000_000, 90_000_000);
        var uri = new Uri(gateway.BaseAddress, "/api/hooks/hubspot");
        var firstBody = $$"""[{"eventId":{{eventId}},"objectId":1,"propertyName":"phone","propertyValue":"{{a}}"}]""";
        var secondBody = $$"""[{"eventId":{{eventId}},"objectId":1,"propertyName":"phone","propertyValue":"{{a}}"},{"eventId":{{eventId + 1}},"objectId":2,"propertyName":"phone","propertyValue":"{{b}}"}]""";

        var first = await Senders.PostAsync(gateway.BaseAddress, "hubspot", firstBody, "application/json", Senders.HubSpot(HookGateway.HubSpotSecret, uri, DateTimeOffset.UtcNow, firstBody));
        var second = await Senders.PostAsync(gateway.BaseAddress, "hubspot", secondBody, "application/json", Senders.HubSpot(HookGateway.HubSpotSecret, uri, DateTimeOffset.UtcNow, secondBody));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var answer = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;
        Assert.Single(answer["operation_ids"]!.AsArray());
        Assert.Equal(1, answer["duplicates"]!.GetValue<int>());
        var requests = await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetRequestsAsync(), r => r.Count >= 2, "both contacts at the simulator");
        Assert.Single(requests, r => r.Path.Contains(a[1..], StringComparison.Ordinal));
        Assert.Single(requests, r => r.Path.Contains(b[1..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delivery_refused_during_a_storage_outage_is_accepted_once_on_redelivery()
    {
        await fixture.ResetAsync();
        await using var gateway = await HookGateway.StartAsync(fixture);
        var phone = WebhookDeliveryTests.NewPhone();
        var body = $"phone={Uri.EscapeDataString(phone)}&name=Hal&owner_email={Uri.EscapeDataString(SimulatorFixture.StaffEmail)}";
        (string, string)[] headers = [("X-Api-Key", HookGateway.ZapierToken), ("X-Request-Id", Guid.NewGuid().ToString())];

        await fixture.Azurite.StopAsync();
        HttpResponseMessage refused;
        try
        {
            refused = await Senders.PostAsync(gateway.BaseAddress, "zapier", body, "application/x-www-form-urlencoded", headers);
        }
        finally
        {
            await fixture.Azurite.StartAsync();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(0, gateway.OperationsAccepted());
        // A killed Azurite can lose what it had not saved yet, the queues included; a real account keeps them. The
        // deliveries table is left to the gateway, which creates it again at the first record.
        await fixture.Azurite.ClearQueuesAsync();

        var redelivered = await Senders.PostAsync(gateway.BaseAddress, "zapier", body, "application/x-www-form-urlencoded", headers);
        var again = await Senders.PostAsync(gateway.BaseAddress, "zapier", body, "application/x-www-form-urlencoded", headers);

        Assert.Equal(HttpStatusCode.Accepted, redelivered.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var requests = await Eventually.WaitForAsync(() => fixture.Simulator.Inspector.GetRequestsAsync(), r => r.Count >= 2, "upsert and assignment at the simulator");
        Assert.Single(requests, r => r.Path.EndsWith("/attributes", StringComparison.Ordinal));
        Assert.Single(requests, r => r.Path.EndsWith("/assign-staff", StringComparison.Ordinal));
        Assert.Equal(1, gateway.OperationsAccepted());
    }

    [Fact]
    public async Task Identity_counts_as_seen_within_the_window_and_not_after_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var tables = new Azure.Data.Tables.TableServiceClient(fixture.Azurite.ConnectionString);
        var deduplicator = new DeliveryDeduplicator(tables, Options.Create(new HookOptions { DeduplicationWindow = TimeSpan.FromHours(24) }), clock);
        await deduplicator.CreateTableIfNotExistsAsync();
        var integration = $"window{Guid.NewGuid():N}";
        var identity = new DeliveryIdentity("header", $"header:{Guid.NewGuid()}");

        Assert.Empty(await deduplicator.FindSeenAsync(integration, [identity.Key]));
        await deduplicator.RecordAsync(integration, [identity]);

        clock.Advance(TimeSpan.FromHours(23));
        Assert.Contains(identity.Key, await deduplicator.FindSeenAsync(integration, [identity.Key, "header:other"]));
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Empty(await deduplicator.FindSeenAsync(integration, [identity.Key]));
    }

    [Fact]
    public async Task Seen_identities_are_found_across_more_keys_than_one_table_query_holds()
    {
        var deduplicator = new DeliveryDeduplicator(new Azure.Data.Tables.TableServiceClient(fixture.Azurite.ConnectionString),
            Options.Create(new HookOptions()), TimeProvider.System);
        await deduplicator.CreateTableIfNotExistsAsync();
        var integration = $"many{Guid.NewGuid():N}";
        var identities = Enumerable.Range(0, 40).Select(i => new DeliveryIdentity("path", $"path:{i}'x")).ToList();

        await deduplicator.RecordAsync(integration, identities.Where((_, i) => i % 2 == 0));
        var seen = await deduplicator.FindSeenAsync(integration, identities.Select(i => i.Key));

        Assert.Equal(identities.Where((_, i) => i % 2 == 0).Select(i => i.Key).Order(), seen.Order());
    }
}
