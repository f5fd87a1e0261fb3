using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.EndToEnd.Pipeline;

namespace Libromi.Gateway.EndToEnd.Hooks;

/// <summary>
/// A gateway host with an integrations file covering every verification scheme, secrets in configuration
/// (<c>Gateway:Secrets:{name}</c>), on the class's Azurite and simulator.
/// </summary>
internal static class HookGateway
{
    public const string ShopSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string GitHubSecret = "gh-hook-secret-4c1d9e";
    public const string ShopifySecret = "shpss-hook-secret-77a0";
    public const string HubSpotSecret = "3f2b1c4d-1111-4a5b-9c8d-0123456789ab";
    public const string PipedrivePassword = "pd-pass-52be19";
    public const string ZapierToken = "zap-token-e0c3a8";

    public static readonly IReadOnlyList<string> AllSecrets = [ShopSecret, GitHubSecret, ShopifySecret, HubSpotSecret, PipedrivePassword, ZapierToken];

    public const string IntegrationsJson = """
    {
      "integrations": {
        "shop": {
          "verify": { "scheme": "standard-webhooks", "secret": "shop-secret" },
          "items": "events",
          "default_country_code": "44",
          "operations": [
            { "when": { "path": "type", "in": ["customer.created", "customer.updated"] },
              "upsert_contact": { "phone_number": "data.phone",
                                  "attributes": { "first_name": "data.first_name", "city": "data.address.city", "source": { "value": "shop" } } } },
            { "when": { "path": "type", "equals": "customer.owner_changed" },
              "assign_staff": { "phone_number": "data.phone", "staff_email": "data.owner.email" } }
          ]
        },
        "github": {
          "verify": { "scheme": "hmac-sha256", "header": "X-Hub-Signature-256", "encoding": "hex", "prefix": "sha256=", "secret": "github-secret" },
          "delivery_id": { "header": "X-GitHub-Delivery" },
          "operations": [ { "upsert_contact": { "phone_number": "phone", "attributes": { "github_login": "login" } } } ]
        },
        "shopify": {
          "verify": { "scheme": "hmac-sha256", "header": "X-Shopify-Hmac-Sha256", "encoding": "base64", "secret": "shopify-secret" },
          "operations": [ { "upsert_contact": { "phone_number": "phone", "attributes": { "first_name": "first_name" } } } ]
        },
        "hubspot": {
          "verify": { "scheme": "hubspot-v3", "secret": "hubspot-secret" },
          "operations": [
            { "when": { "path": "propertyName", "in": ["phone", "mobilephone"] },
              "upsert_contact": { "phone_number": "propertyValue", "attributes": { "hubspot_contact_id": "objectId" } } }
          ]
        },
        "pipedrive": {
          "verify": { "scheme": "basic", "username": "pipedrive", "secret": "pipedrive-password" },
          "delivery_id": { "path": "meta.id" },
          "operations": [
            { "when": { "path": "data.phones.0.value", "exists": true },
              "upsert_contact": { "phone_number": "data.phones.0.value", "attributes": { "name": "data.name", "email": "data.emails.0.value" } } }
          ]
        },
        "zapier": {
          "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "zapier-token" },
          "delivery_id": { "header": "X-Request-Id" },
          "operations": [
            { "upsert_contact": { "phone_number": "phone", "attributes": { "name": "name", "email": "email", "source": { "value": "zapier" } } } },
            { "when": { "path": "owner_email", "exists": true },
              "assign_staff": { "phone_number": "phone", "staff_email": "owner_email" } }
          ]
        },
        "unconfigured": {
          "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "secret-nobody-set" },
          "operations": [ { "upsert_contact": { "phone_number": "phone" } } ]
        }
      }
    }
    """;

    public static Task<GatewayHost> StartAsync(PipelineFixture fixture, Dictionary<string, string?>? overrides = null) =>
        StartAsync(fixture, IntegrationsJson, overrides);

    public static Task<GatewayHost> StartAsync(
        PipelineFixture fixture, string integrationsJson, Dictionary<string, string?>? overrides = null, Action<IServiceCollection>? configureServices = null)
    {
        var settings = Settings(integrationsJson);
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }
        return GatewayHost.StartAsync(fixture.Azurite, fixture.Simulator, settings, configureServices);
    }

    /// <summary>Writes <paramref name="integrationsJson"/> to a temporary integrations file; the settings that point a gateway (either host) at it, with the secrets.</summary>
    public static Dictionary<string, string?> Settings(string integrationsJson = IntegrationsJson)
    {
        var folder = Directory.CreateTempSubdirectory("hooks-").FullName;
        var file = Path.Combine(folder, "integrations.json");
        File.WriteAllText(file, integrationsJson);

        return new Dictionary<string, string?>
        {
            ["Gateway:IntegrationsFile"] = file,
            ["Gateway:Secrets:shop-secret"] = ShopSecret,
            ["Gateway:Secrets:github-secret"] = GitHubSecret,
            ["Gateway:Secrets:shopify-secret"] = ShopifySecret,
            ["Gateway:Secrets:hubspot-secret"] = HubSpotSecret,
            ["Gateway:Secrets:pipedrive-password"] = PipedrivePassword,
            ["Gateway:Secrets:zapier-token"] = ZapierToken,
        };
    }

    /// <summary>How many envelopes the host stored, whatever the consumer did with them since.</summary>
    public static int OperationsAccepted(this GatewayHost gateway) =>
        gateway.Logs.GetSnapshot().Count(r => r.Id.Name == "OperationAccepted");
}
