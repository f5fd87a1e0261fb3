using Libromi.Gateway.EndToEnd.Fixtures;
using Libromi.Gateway.Queueing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Libromi.Gateway.EndToEnd.Drain;

/// <summary>Wake messages against Azurite: one per instance per spacing, so a burst of ingest costs one extra write a second.</summary>
public sealed class DrainWakeupsTests : IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));

    public Task InitializeAsync() => _azurite.InitializeAsync();

    public Task DisposeAsync() => _azurite.DisposeAsync();

    [Fact]
    public async Task The_first_stored_work_writes_a_wake_and_work_stored_within_the_spacing_writes_none()
    {
        var wakeups = NewWakeups();

        await wakeups.NotifyAsync(wakeups.BeginStoring(), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        await wakeups.NotifyAsync(wakeups.BeginStoring(), CancellationToken.None);

        Assert.Equal(1, wakeups.Written);
        Assert.Equal(1, await WakeMessagesAsync());
    }

    [Fact]
    public async Task Work_stored_once_the_spacing_has_passed_writes_another_wake()
    {
        var wakeups = NewWakeups();
        var options = new DrainOptions();

        await wakeups.NotifyAsync(wakeups.BeginStoring(), CancellationToken.None);
        _clock.Advance(options.WakeSpacing);
        await wakeups.NotifyAsync(wakeups.BeginStoring(), CancellationToken.None);

        Assert.Equal(2, wakeups.Written);
        Assert.Equal(2, await WakeMessagesAsync());
    }

    [Fact]
    public async Task A_scheduled_wake_stays_hidden_until_its_delay()
    {
        var wakeups = NewWakeups();

        await wakeups.ScheduleAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(0, await WakeMessagesAsync());
        var peeked = await _azurite.CreateQueueServiceClient().GetQueueClient(QueueNames.Wake).GetPropertiesAsync();
        Assert.Equal(1, peeked.Value.ApproximateMessagesCount);
    }

    private DrainWakeups NewWakeups() =>
        new(_azurite.CreateQueueServiceClient(), Options.Create(new DrainOptions()), _clock, NullLogger<DrainWakeups>.Instance);

    /// <summary>Wake messages visible now.</summary>
    private async Task<int> WakeMessagesAsync() =>
        (await _azurite.CreateQueueServiceClient().GetQueueClient(QueueNames.Wake).PeekMessagesAsync(32)).Value.Length;
}
