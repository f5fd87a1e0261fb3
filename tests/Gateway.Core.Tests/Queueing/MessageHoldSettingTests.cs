using Libromi.Gateway.Hosting;
using Libromi.Gateway.Queueing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Tests.Queueing;

/// <summary><c>Queues:MessageHold</c> and its deprecated old name <c>Queues:MessageLease</c>, as start-up reads them.</summary>
public sealed class MessageHoldSettingTests
{
    [Fact]
    public async Task The_new_key_sets_the_hold_without_a_warning()
    {
        using var host = Start(new() { ["Queues:MessageHold"] = "00:00:12" });

        Assert.Equal(TimeSpan.FromSeconds(12), host.Options.MessageHold);
        Assert.Empty(await host.WarningsAsync());
    }

    [Fact]
    public async Task The_old_key_alone_still_sets_the_hold_and_start_up_warns_once_naming_both_keys()
    {
        using var host = Start(new() { ["Queues:MessageLease"] = "00:00:12" });

        Assert.Equal(TimeSpan.FromSeconds(12), host.Options.MessageHold);
        var warning = Assert.Single(await host.WarningsAsync());
        Assert.Equal(new EventId(4014, "MessageHoldSetUnderOldName"), warning.Id);
        Assert.Contains("Queues:MessageLease", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Queues:MessageHold", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_keys_with_the_same_hold_are_accepted_and_the_new_one_is_used_without_a_warning()
    {
        using var host = Start(new() { ["Queues:MessageHold"] = "00:00:12", ["Queues:MessageLease"] = "0:0:12" });

        Assert.Equal(TimeSpan.FromSeconds(12), host.Options.MessageHold);
        Assert.Empty(await host.WarningsAsync());
    }

    [Fact]
    public void Both_keys_with_different_holds_fail_start_up_naming_both_keys()
    {
        using var host = Start(new() { ["Queues:MessageHold"] = "00:00:12", ["Queues:MessageLease"] = "00:00:30" });

        var failure = Assert.Throws<OptionsValidationException>(() => host.Options);
        var message = Assert.Single(failure.Failures);
        Assert.Contains("Queues:MessageHold (00:00:12)", message, StringComparison.Ordinal);
        Assert.Contains("Queues:MessageLease (00:00:30)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_old_key_below_a_second_is_refused_like_the_new_one()
    {
        using var host = Start(new() { ["Queues:MessageLease"] = "00:00:00.500" });

        var failure = Assert.Throws<OptionsValidationException>(() => host.Options);
        Assert.Contains(nameof(OperationPumpOptions.MessageHold), Assert.Single(failure.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Neither_key_keeps_the_default_hold()
    {
        using var host = Start([]);

        Assert.Equal(TimeSpan.FromSeconds(30), host.Options.MessageHold);
        Assert.Empty(await host.WarningsAsync());
    }

    private static Services Start(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var logs = new FakeLogCollector();
        var provider = new ServiceCollection()
            .AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(logs)))
            .AddOperationPumpOptions(configuration)
            .BuildServiceProvider();
        return new Services(provider, logs);
    }

    private sealed class Services(ServiceProvider provider, FakeLogCollector logs) : IDisposable
    {
        public OperationPumpOptions Options => provider.GetRequiredService<IOptions<OperationPumpOptions>>().Value;

        /// <summary>Starts the hosted services, as the host does after validating options, and returns the warnings logged.</summary>
        public async Task<IReadOnlyList<FakeLogRecord>> WarningsAsync()
        {
            foreach (var service in provider.GetServices<IHostedService>())
            {
                await service.StartAsync(CancellationToken.None);
            }
            return [.. logs.GetSnapshot().Where(log => log.Level == LogLevel.Warning)];
        }

        public void Dispose() => provider.Dispose();
    }
}
