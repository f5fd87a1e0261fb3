using Libromi.Gateway.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.Tests.Webhooks;

public sealed class IntegrationCatalogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("integrations-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger<IntegrationCatalog> _logger = new();
    private CancellationTokenSource _change = new();

    private string FilePath => Path.Combine(_directory, "integrations.json");

    private static string FileWith(params string[] names) =>
        $$"""{ "integrations": { {{string.Join(", ", names.Select(n => $$"""
            "{{n}}": { "verify": { "scheme": "header-token", "header": "X-Api-Key", "secret": "token" },
                       "operations": [ { "upsert_contact": { "phone_number": "phone" } } ] }
            """))}} } }""";

    /// <summary>A watch the test fires by hand, as PhysicalFileProvider would on a write.</summary>
    private IChangeToken Watch() => new CancellationChangeToken(_change.Token);

    private void SignalFileChanged()
    {
        var fired = _change;
        _change = new CancellationTokenSource();
        fired.Cancel();
        fired.Dispose();
    }

    private IntegrationCatalog NewCatalog() => new(FilePath, _time, _logger, Watch, TimeSpan.FromSeconds(1));

    [Fact]
    public void Invalid_file_at_start_up_throws_with_every_problem()
    {
        File.WriteAllText(FilePath, """{ "integrations": { "a": { "verify": { "scheme": "nope" } } } }""");
        var error = Assert.Throws<IntegrationsFileException>(NewCatalog);
        Assert.Contains("integrations.json: integrations.a.verify.scheme:", error.Message, StringComparison.Ordinal);
        Assert.Contains("integrations.json: integrations.a.operations:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_at_start_up_throws_naming_the_file()
    {
        var error = Assert.Throws<IntegrationsFileException>(NewCatalog);
        Assert.Contains("cannot be read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_file_is_reloaded_after_the_debounce()
    {
        File.WriteAllText(FilePath, FileWith("shop"));
        using var catalog = NewCatalog();
        Assert.True(catalog.TryGet("shop", out _));

        File.WriteAllText(FilePath, FileWith("shop", "hubspot"));
        SignalFileChanged();
        Assert.False(catalog.TryGet("hubspot", out _));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(catalog.TryGet("hubspot", out _));
    }

    [Fact]
    public void Bursts_of_change_events_reload_once_after_the_last()
    {
        File.WriteAllText(FilePath, FileWith("shop"));
        using var catalog = NewCatalog();
        _logger.Collector.Clear();

        File.WriteAllText(FilePath, FileWith("shop", "hubspot"));
        SignalFileChanged();
        _time.Advance(TimeSpan.FromMilliseconds(600));
        SignalFileChanged();
        _time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.False(catalog.TryGet("hubspot", out _));

        _time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.True(catalog.TryGet("hubspot", out _));
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "IntegrationsLoaded");
    }

    [Fact]
    public void Hot_reload_of_an_invalid_file_keeps_the_last_good_one_and_logs_why()
    {
        File.WriteAllText(FilePath, FileWith("shop"));
        using var catalog = NewCatalog();

        File.WriteAllText(FilePath, """{ "integrations": { "shop": { "verify": { "scheme": "standard-webhooks", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" } } } }""");
        SignalFileChanged();
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(catalog.TryGet("shop", out var shop));
        Assert.IsType<HeaderTokenSettings>(shop.Verification);
        var rejected = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "IntegrationsReloadRejected");
        Assert.Equal(LogLevel.Error, rejected.Level);
        Assert.Contains("integrations.shop.verify.secret", rejected.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MfKQ9r8G", rejected.Message, StringComparison.Ordinal);

        File.WriteAllText(FilePath, FileWith("shop", "pipedrive"));
        Assert.Empty(catalog.Reload());
        Assert.True(catalog.TryGet("pipedrive", out _));
    }

    [Fact]
    public void Real_file_watching_is_wired_by_default()
    {
        // Only construction and disposal: asserting on real file events would need a real wait.
        File.WriteAllText(FilePath, FileWith("shop"));
        using var catalog = new IntegrationCatalog(FilePath, _time, _logger);
        Assert.Equal(["shop"], catalog.Names);
    }

    public void Dispose()
    {
        _change.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
