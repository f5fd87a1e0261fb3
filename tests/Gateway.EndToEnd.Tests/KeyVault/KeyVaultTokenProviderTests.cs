using Azure.Security.KeyVault.Secrets;
using Libromi.Gateway.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using Libromi.Gateway.Libromi;

namespace Libromi.Gateway.EndToEnd.KeyVault;

/// <summary>
/// The gateway's secret registration (<see cref="SecretsServiceCollectionExtensions.AddGatewaySecrets"/>) with the
/// real <see cref="SecretClient"/> against <see cref="FakeKeyVault"/>: challenge authentication, TLS, the REST
/// shapes. Each test gets its own vault, so none depends on another's secrets or read counts.
/// </summary>
public sealed class KeyVaultTokenProviderTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string TokenSecret = "libromi-api-token";

    private FakeKeyVault _vault = null!;
    private StubTokenCredential _credential = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVault.StartAsync();
        _credential = new StubTokenCredential(_vault.AccessToken);

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create<string, string?>("KeyVault:VaultUri", _vault.VaultUri.ToString())])
            .Build();

        _services = new ServiceCollection()
            .AddFakeLogging()
            .AddSingleton<TimeProvider>(new FakeTimeProvider())
            .AddSingleton<Azure.Core.TokenCredential>(_credential)
            .ConfigureGatewaySecretClient(options =>
            {
                options.Transport = _vault.CreateTransport();
                // The challenge names https://vault.azure.net while the vault lives on 127.0.0.1.
                options.DisableChallengeResourceVerification = true;
                // A vault that is down should fail the test's read at once, not after the SDK's backoff.
                options.Retry.MaxRetries = 0;
            })
            .AddGatewaySecrets(configuration)
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        foreach (var line in _vault.RequestLog)
        {
            output.WriteLine(line);
        }

        await _services.DisposeAsync();
        await _vault.DisposeAsync();
    }

    private ILibromiTokenProvider Provider => _services.GetRequiredService<ILibromiTokenProvider>();

    [Fact]
    public async Task First_request_reads_the_token_through_challenge_authentication()
    {
        _vault.SetSecret(TokenSecret, "kv-token-v1");

        Assert.Equal("kv-token-v1", await Provider.GetTokenAsync());
        Assert.Equal("key-vault", Provider.Source);
        Assert.Equal(1, _vault.ReadsOf(TokenSecret));
        Assert.Contains(_credential.Requests, r => r.Scopes.SequenceEqual(["https://vault.azure.net/.default"]));
    }

    [Fact]
    public async Task Second_request_is_served_from_cache_without_a_vault_read()
    {
        _vault.SetSecret(TokenSecret, "kv-token-v1");

        await Provider.GetTokenAsync();
        Assert.Equal("kv-token-v1", await Provider.GetTokenAsync());

        Assert.Equal(1, _vault.ReadsOf(TokenSecret));
    }

    [Fact]
    public async Task Rotated_token_is_used_after_Libromi_rejects_the_old_one()
    {
        _vault.SetSecret(TokenSecret, "kv-token-v1");
        await Provider.GetTokenAsync();

        _vault.SetSecret(TokenSecret, "kv-token-v2");

        Assert.Equal("kv-token-v2", await Provider.RefreshAfterRejectionAsync("kv-token-v1"));
        Assert.Equal("kv-token-v2", await Provider.GetTokenAsync());
        Assert.Equal(2, _vault.ReadsOf(TokenSecret));
    }

    [Fact]
    public async Task Hundred_concurrent_rejections_of_the_same_token_cause_one_vault_read()
    {
        _vault.SetSecret(TokenSecret, "kv-token-v1");
        await Provider.GetTokenAsync();
        _vault.SetSecret(TokenSecret, "kv-token-v2");

        var refreshes = await Task.WhenAll(
            Enumerable.Range(0, 100).Select(_ => Task.Run(() => Provider.RefreshAfterRejectionAsync("kv-token-v1").AsTask())));

        Assert.All(refreshes, token => Assert.Equal("kv-token-v2", token));
        Assert.Equal(2, _vault.ReadsOf(TokenSecret));
    }

    [Fact]
    public async Task Rejection_of_an_already_replaced_token_does_not_read_again()
    {
        _vault.SetSecret(TokenSecret, "kv-token-v1");
        await Provider.GetTokenAsync();
        _vault.SetSecret(TokenSecret, "kv-token-v2");
        await Provider.RefreshAfterRejectionAsync("kv-token-v1");

        Assert.Equal("kv-token-v2", await Provider.RefreshAfterRejectionAsync("kv-token-v1"));
        Assert.Equal(2, _vault.ReadsOf(TokenSecret));
    }

    [Fact]
    public async Task Missing_secret_reads_as_absent_and_the_provider_names_it_without_values()
    {
        _vault.SetSecret("hubspot-signing-secret", "whsec-unrelated-value");

        Assert.Null(await _services.GetRequiredService<ISecretSource>().GetSecretAsync("no-such-secret"));
        var error = await Assert.ThrowsAsync<LibromiTokenNotConfiguredException>(() => Provider.GetTokenAsync().AsTask());

        Assert.Contains($"'{TokenSecret}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec-unrelated-value", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, _vault.ReadsOf(TokenSecret));
    }

    [Fact]
    public async Task Vault_down_raises_SecretStoreUnavailableException_without_any_secret()
    {
        _vault.SetSecret(TokenSecret, "kv-token-v1");
        await Provider.GetTokenAsync();
        await _vault.StopAsync();

        var error = await Assert.ThrowsAsync<SecretStoreUnavailableException>(
            () => Provider.RefreshAfterRejectionAsync("kv-token-v1").AsTask());

        Assert.Equal(TokenSecret, error.SecretName);
        Assert.Equal("key-vault", error.StoreKind);
        Assert.Contains(_vault.VaultUri.Authority, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("kv-token-v1", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_vault.AccessToken, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_log_record_contains_the_token_or_the_vault_access_token()
    {
        _vault.SetSecret(TokenSecret, "kv-token-v1");
        await Provider.GetTokenAsync();
        _vault.SetSecret(TokenSecret, "kv-token-v2");
        await Provider.RefreshAfterRejectionAsync("kv-token-v1");
        await Provider.RefreshAfterRejectionAsync("kv-token-v2");

        var records = _services.GetFakeLogCollector().GetSnapshot();
        // The Azure SDK's own request logging is forwarded to ILogger by AddAzureClients; it is covered too.
        Assert.Contains(records, r => r.Category == "Azure.Core");
        Assert.Contains(records, r => r.Category == typeof(LibromiTokenProvider).FullName);
        Assert.All(records, r =>
        {
            foreach (var secret in new[] { "kv-token-v1", "kv-token-v2", _vault.AccessToken })
            {
                Assert.DoesNotContain(secret, r.Message, StringComparison.Ordinal);
                Assert.DoesNotContain(r.StructuredState ?? [], kv => kv.Value?.Contains(secret, StringComparison.Ordinal) == true);
            }
        });
    }

    [Fact]
    public async Task A_client_that_does_not_pin_the_vault_certificate_cannot_read_from_it()
    {
        _vault.SetSecret(TokenSecret, "kv-token-v1");
        var options = new SecretClientOptions { DisableChallengeResourceVerification = true };
        options.Retry.MaxRetries = 0;
        var source = new KeyVaultSecretSource(new SecretClient(_vault.VaultUri, _credential, options));

        var error = await Assert.ThrowsAsync<SecretStoreUnavailableException>(() => source.GetSecretAsync(TokenSecret).AsTask());

        Assert.DoesNotContain("kv-token-v1", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, _vault.ReadsOf(TokenSecret));
    }
}
