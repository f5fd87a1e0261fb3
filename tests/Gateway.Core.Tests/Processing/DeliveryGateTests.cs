using System.Threading.RateLimiting;
using Libromi.Gateway.Processing;
using Libromi.Gateway.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Tests.Processing;

/// <summary>The permit of the retry after a replaced token: same limiter and lane, no second probe, back to the queue when none comes.</summary>
public sealed class DeliveryGateTests
{
    private static readonly TimeSpan MaxPermitWait = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly LaneRecorder _limiter = new();
    private readonly SendingState _state;
    private readonly DeliveryGate _gate;

    public DeliveryGateTests()
    {
        _state = new SendingState(_clock);
        _gate = new DeliveryGate(_limiter, _state, Options.Create(new ProcessingOptions { MaxPermitWait = MaxPermitWait }), _clock);
    }

    [Theory]
    [InlineData(Lane.Realtime)]
    [InlineData(Lane.Bulk)]
    public async Task Retry_permit_comes_from_the_same_limiter_in_the_operations_lane(Lane lane)
    {
        Assert.Null(await _gate.WaitForPermitAsync(lane, CancellationToken.None));
        Assert.Null(await _gate.WaitForRetryPermitAsync(lane, CancellationToken.None));

        Assert.Equal([lane, lane], _limiter.Lanes);
    }

    [Fact]
    public async Task Retry_of_the_probe_goes_without_claiming_a_second_probe()
    {
        _state.OpenCircuit("401", TimeSpan.FromSeconds(30));
        _clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Null(await _gate.WaitForPermitAsync(Lane.Realtime, CancellationToken.None));
        Assert.True(_state.Circuit.ProbeInFlight);
        Assert.Null(await _gate.WaitForRetryPermitAsync(Lane.Realtime, CancellationToken.None));
        Assert.Equal(2, _limiter.Lanes.Count);
    }

    [Fact]
    public async Task Retry_without_a_permit_within_the_wait_goes_back_to_the_queue_and_frees_the_probe()
    {
        _state.OpenCircuit("401", TimeSpan.FromSeconds(30));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(await _gate.WaitForPermitAsync(Lane.Bulk, CancellationToken.None));
        _limiter.Grant = false;

        var retry = _gate.WaitForRetryPermitAsync(Lane.Bulk, CancellationToken.None);
        Assert.False(retry.IsCompleted);
        _clock.Advance(MaxPermitWait);

        Assert.Equal(DeliveryGate.RequeueAfterPermitTimeout, await retry.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(_state.Circuit.ProbeInFlight);
    }

    [Fact]
    public async Task Retry_during_a_pause_waits_for_the_pause_without_a_permit()
    {
        Assert.Null(await _gate.WaitForPermitAsync(Lane.Realtime, CancellationToken.None));
        _state.PauseUntil(_clock.GetUtcNow() + TimeSpan.FromSeconds(20));

        Assert.Equal(TimeSpan.FromSeconds(20), await _gate.WaitForRetryPermitAsync(Lane.Realtime, CancellationToken.None));
        Assert.Single(_limiter.Lanes);
    }

    /// <summary>Records the lane of every request; grants at once, or never (until the caller gives up).</summary>
    private sealed class LaneRecorder : LaneRateLimiter
    {
        public List<Lane> Lanes { get; } = [];

        public bool Grant { get; set; } = true;

        public override TimeSpan? IdleDuration => null;

        public override async ValueTask<RateLimitLease> AcquireAsync(Lane lane, CancellationToken cancellationToken = default)
        {
            Lanes.Add(lane);
            if (!Grant)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            return Granted.Instance;
        }

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => throw new NotSupportedException("The gate asks by lane.");

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The gate asks by lane.");

        private sealed class Granted : RateLimitLease
        {
            public static Granted Instance { get; } = new();

            public override bool IsAcquired => true;

            public override IEnumerable<string> MetadataNames => [];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                return false;
            }
        }
    }
}
