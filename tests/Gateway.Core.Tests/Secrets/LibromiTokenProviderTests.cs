using Libromi.Gateway.Libromi;
using Libromi.Gateway.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.Secrets;

public sealed class LibromiTokenProviderTests
{
    private const string SecretName = "libromi-api-token";

    private readonly ScriptedSecretSource _vault = new();
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogCollector _logs = new();

    private LibromiTokenProvider Provider(ISecretSource? source = null) =>
        new(source ?? _vault, Options.Create(new LibromiClientOptions()), _time, new FakeLogger<LibromiTokenProvider>(_logs));

    [Fact]
    public async Task Token_is_read_once_and_then_served_from_cache()
    {
        _vault.Set(SecretName, "token-v1");
        var provider = Provider();

        Assert.Equal("token-v1", await provider.GetTokenAsync());
        Assert.Equal("token-v1", await provider.GetTokenAsync());
        Assert.Equal(1, _vault.Reads);
        Assert.Equal("key-vault", provider.Source);
    }

    [Fact]
    public async Task Concurrent_first_requests_cause_a_single_read()
    {
        _vault.Set(SecretName, "token-v1");
        _vault.Hold();
        var provider = Provider();

        var callers = Enumerable.Range(0, 50).Select(_ => provider.GetTokenAsync().AsTask()).ToArray();
        _vault.Release();

        Assert.All(await Task.WhenAll(callers), token => Assert.Equal("token-v1", token));
        Assert.Equal(1, _vault.Reads);
    }

    [Fact]
    public async Task Concurrent_rejections_cause_a_single_vault_read()
    {
        _vault.Set(SecretName, "token-v1");
        var provider = Provider();
        await provider.GetTokenAsync();
        _vault.Set(SecretName, "token-v2");
        _vault.Hold();

        var callers = Enumerable.Range(0, 100).Select(_ => provider.RefreshAfterRejectionAsync("token-v1").AsTask()).ToArray();
        _vault.Release();

        Assert.All(await Task.WhenAll(callers), token => Assert.Equal("token-v2", token));
        Assert.Equal(2, _vault.Reads);
        Assert.Equal("token-v2", await provider.GetTokenAsync());
    }

    [Fact]
    public async Task Rejection_of_an_already_replaced_token_does_not_read_again()
    {
        _vault.Set(SecretName, "token-v1");
        var provider = Provider();
        await provider.GetTokenAsync();
        _vault.Set(SecretName, "token-v2");
        Assert.Equal("token-v2", await provider.RefreshAfterRejectionAsync("token-v1"));

        // A delivery that started with v1 reports its 401 late.
        Assert.Equal("token-v2", await provider.RefreshAfterRejectionAsync("token-v1"));
        Assert.Equal(2, _vault.Reads);
    }

    [Fact]
    public async Task First_rejection_reads_at_once_even_right_after_the_initial_read()
    {
        _vault.Set(SecretName, "token-v1");
        var provider = Provider();
        await provider.GetTokenAsync();
        _vault.Set(SecretName, "token-v2");

        Assert.Equal("token-v2", await provider.RefreshAfterRejectionAsync("token-v1"));
    }

    [Fact]
    public async Task A_rejected_token_still_in_the_store_is_reread_only_after_the_minimum_interval()
    {
        _vault.Set(SecretName, "revoked");
        var provider = Provider();
        await provider.GetTokenAsync();

        Assert.Equal("revoked", await provider.RefreshAfterRejectionAsync("revoked"));
        Assert.Equal(2, _vault.Reads);

        // The operator stores the new version just after that read: rejections inside the interval do not read.
        _vault.Set(SecretName, "rotated");
        _time.Advance(LibromiTokenProvider.MinimumRefreshInterval - TimeSpan.FromMilliseconds(1));
        Assert.Equal("revoked", await provider.RefreshAfterRejectionAsync("revoked"));
        Assert.Equal(2, _vault.Reads);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("rotated", await provider.RefreshAfterRejectionAsync("revoked"));
        Assert.Equal(3, _vault.Reads);
    }

    [Fact]
    public async Task A_replacement_token_rejected_soon_after_is_reread_at_once()
    {
        _vault.Set(SecretName, "token-v1");
        var provider = Provider();
        await provider.GetTokenAsync();
        _vault.Set(SecretName, "token-v2");
        await provider.RefreshAfterRejectionAsync("token-v1");

        // v2 was also bad (e.g. created Read Only); the operator fixes it within seconds.
        _vault.Set(SecretName, "token-v3");
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("token-v3", await provider.RefreshAfterRejectionAsync("token-v2"));
        Assert.Equal(3, _vault.Reads);
    }

    [Fact]
    public async Task A_vault_failure_during_refresh_also_spaces_out_the_next_read()
    {
        _vault.Set(SecretName, "token-v1");
        var provider = Provider();
        await provider.GetTokenAsync();
        _vault.Failure = new SecretStoreUnavailableException(SecretName, "key-vault", "test vault did not answer");

        await Assert.ThrowsAsync<SecretStoreUnavailableException>(() => provider.RefreshAfterRejectionAsync("token-v1").AsTask());
        Assert.Equal("token-v1", await provider.RefreshAfterRejectionAsync("token-v1"));
        Assert.Equal(2, _vault.Reads);

        _vault.Failure = null;
        _vault.Set(SecretName, "token-v2");
        _time.Advance(LibromiTokenProvider.MinimumRefreshInterval);
        Assert.Equal("token-v2", await provider.RefreshAfterRejectionAsync("token-v1"));
    }

    [Fact]
    public async Task A_caller_giving_up_does_not_abort_the_shared_read()
    {
        _vault.Set(SecretName, "token-v1");
        _vault.Hold();
        var provider = Provider();
        using var impatient = new CancellationTokenSource();

        var first = provider.GetTokenAsync(impatient.Token).AsTask();
        var second = provider.GetTokenAsync().AsTask();
        await impatient.CancelAsync();
        _vault.Release();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal("token-v1", await second);
        Assert.Equal(1, _vault.Reads);
    }

    [Fact]
    public async Task A_failed_read_is_not_cached_and_the_next_request_reads_again()
    {
        _vault.Set(SecretName, "token-v1");
        _vault.Failure = new SecretStoreUnavailableException(SecretName, "key-vault", "test vault did not answer");
        var provider = Provider();

        await Assert.ThrowsAsync<SecretStoreUnavailableException>(() => provider.GetTokenAsync().AsTask());

        _vault.Failure = null;
        Assert.Equal("token-v1", await provider.GetTokenAsync());
        Assert.Equal(2, _vault.Reads);
    }

    [Fact]
    public async Task Missing_token_in_configuration_names_the_setting_to_set()
    {
        var provider = Provider(new ConfigurationSecretSource(new ConfigurationBuilder().Build()));

        var error = await Assert.ThrowsAsync<LibromiTokenNotConfiguredException>(() => provider.GetTokenAsync().AsTask());

        Assert.IsAssignableFrom<InvalidOperationException>(error);
        Assert.Contains("Libromi__ApiToken", error.Message, StringComparison.Ordinal);
        Assert.Contains("KeyVault__VaultUri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_token_in_the_vault_names_the_secret_and_its_setting()
    {
        _vault.Set("some-other-secret", "unrelated-value");
        var provider = Provider();

        var error = await Assert.ThrowsAsync<LibromiTokenNotConfiguredException>(() => provider.GetTokenAsync().AsTask());

        Assert.Contains($"'{SecretName}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Libromi__TokenSecretName", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("unrelated-value", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_token_logs_one_development_only_warning_and_never_the_token()
    {
        const string token = "cfg-token-5f1c2a9e";
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create<string, string?>("Libromi:ApiToken", token)])
            .Build();
        var provider = Provider(new ConfigurationSecretSource(configuration));

        await provider.GetTokenAsync();
        await provider.GetTokenAsync();
        await provider.RefreshAfterRejectionAsync(token);

        var records = _logs.GetSnapshot();
        var warning = Assert.Single(records, r => r.Id.Name == "LocalConfigurationToken");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("development only", warning.Message, StringComparison.Ordinal);
        Assert.Equal("configuration", provider.Source);
        Assert.All(records, r =>
        {
            Assert.DoesNotContain(token, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(r.StructuredState ?? [], kv => kv.Value?.Contains(token, StringComparison.Ordinal) == true);
        });
    }

    [Fact]
    public async Task Vault_token_logs_no_development_warning_and_never_the_token()
    {
        _vault.Set(SecretName, "vault-token-v1");
        var provider = Provider();
        await provider.GetTokenAsync();
        _vault.Set(SecretName, "vault-token-v2");
        await provider.RefreshAfterRejectionAsync("vault-token-v1");

        var records = _logs.GetSnapshot();
        Assert.DoesNotContain(records, r => r.Id.Name == "LocalConfigurationToken");
        Assert.Contains(records, r => r.Id.Name == "RejectedTokenReplaced");
        Assert.All(records, r => Assert.DoesNotContain("vault-token", r.Message, StringComparison.Ordinal));
    }
}
