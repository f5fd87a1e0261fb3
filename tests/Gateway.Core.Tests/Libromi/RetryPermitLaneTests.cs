using System.Net;
using System.Threading.RateLimiting;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Operations;
using Libromi.Gateway.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Libromi.Gateway.Hosting;

namespace Libromi.Gateway.Tests.Libromi;

/// <summary>
/// The client's in-process retries take their permit in the lane of the operation they belong to: a bulk
/// retry must queue behind realtime waiters like any bulk call, not jump ahead of them as realtime.
/// </summary>
public sealed class RetryPermitLaneTests
{
    [Theory]
    [InlineData(Lane.Bulk)]
    [InlineData(Lane.Realtime)]
    public async Task A_retried_call_takes_its_retry_permit_in_the_operations_lane(Lane lane)
    {
        var limiter = new RecordingLaneLimiter();
        await using var provider = BuildClient(limiter, new AnswersInTurn(HttpStatusCode.InternalServerError, HttpStatusCode.OK));
        var client = provider.GetRequiredService<LibromiClient>();

        var outcome = await client.ExecuteAsync(PhoneNumber.Parse("+447700900123"), OperationStep.EnsureContact(), lane);

        Assert.IsType<LibromiOutcome.Delivered>(outcome);
        // The first attempt's permit comes from the delivery gate, so only the retry asks the limiter.
        Assert.Equal([lane], limiter.Lanes);
    }

    [Fact]
    public async Task A_call_that_succeeds_first_time_asks_the_limiter_for_nothing()
    {
        var limiter = new RecordingLaneLimiter();
        await using var provider = BuildClient(limiter, new AnswersInTurn(HttpStatusCode.OK));

        await provider.GetRequiredService<LibromiClient>().ExecuteAsync(PhoneNumber.Parse("+447700900123"), OperationStep.EnsureContact(), Lane.Bulk);

        Assert.Empty(limiter.Lanes);
    }

    private static ServiceProvider BuildClient(LaneRateLimiter limiter, HttpMessageHandler answers)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Libromi:BaseUrl"] = "http://libromi.test/api/v1",
            ["Libromi:AttemptTimeout"] = "00:00:05",
            ["Libromi:TotalTimeout"] = "00:00:20",
        }).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(limiter)
            .AddSingleton<ILibromiTokenProvider>(new FixedToken());
        services.AddLibromiClient(configuration).ConfigurePrimaryHttpMessageHandler(() => answers);
        return services.BuildServiceProvider();
    }

    private sealed class RecordingLaneLimiter : LaneRateLimiter
    {
        private readonly List<Lane> _lanes = [];

        public IReadOnlyList<Lane> Lanes
        {
            get { lock (_lanes) { return [.. _lanes]; } }
        }

        public override ValueTask<RateLimitLease> AcquireAsync(Lane lane, CancellationToken cancellationToken = default)
        {
            lock (_lanes)
            {
                _lanes.Add(lane);
            }
            return ValueTask.FromResult<RateLimitLease>(new GrantedLease());
        }

        public override TimeSpan? IdleDuration => null;

        public override RateLimiterStatistics? GetStatistics() => null;

        // A lane-blind acquisition would be a bug under test: it is what the pipeline did before lanes reached it.
        protected override RateLimitLease AttemptAcquireCore(int permitCount) => throw new InvalidOperationException("Lane-blind acquisition.");

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Lane-blind acquisition.");
    }

    private sealed class GrantedLease : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    /// <summary>Answers each request with the next status in turn (then the last one again), with an empty JSON object.</summary>
    private sealed class AnswersInTurn(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _next;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var status = statuses[Math.Min(Interlocked.Increment(ref _next) - 1, statuses.Length - 1)];
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") });
        }
    }

    private sealed class FixedToken : ILibromiTokenProvider
    {
        public string Source => "test";

        public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult("test-token");

        public ValueTask<string> RefreshAfterRejectionAsync(string rejectedToken, CancellationToken cancellationToken = default) => ValueTask.FromResult("test-token");
    }
}
