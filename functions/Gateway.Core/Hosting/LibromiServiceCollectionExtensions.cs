using System.Net.Http.Headers;
using System.Net.Mime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using System.Threading.RateLimiting;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.RateLimiting;
using Polly;
using Polly.RateLimiting;
using Polly.Timeout;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Hosting;

public static class LibromiServiceCollectionExtensions
{
    public const string PipelineName = "libromi";

    /// <summary>Registers <see cref="LibromiClient"/> with its options and resilience pipeline.</summary>
    public static IHttpClientBuilder AddLibromiClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LibromiClientOptions>()
            .Bind(configuration.GetSection(LibromiClientOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.TotalTimeout >= o.AttemptTimeout, "Libromi:TotalTimeout must be at least Libromi:AttemptTimeout.")
            .ValidateOnStart();
        services.TryAddSingleton<AttributeTypeCatalog>();
        services.AddHttpClient<LibromiClient>((provider, http) =>
            {
                var options = provider.GetRequiredService<IOptions<LibromiClientOptions>>().Value;
                http.BaseAddress = WithTrailingSlash(options.BaseUrl);
                http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypeNames.Application.Json));
                // The resilience pipeline owns timeouts.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            // The default HttpClient loggers redact the header in the message text but carry the raw header
            // values in their structured state, which sinks such as Application Insights export: a token
            // leak (an end-to-end test caught it). LibromiClient logs its own calls without headers instead.
            .RemoveAllLoggers();
        return services.AddHttpClient<LibromiClient>().AddLibromiResilience();
    }

    /// <summary>
    /// Outermost to innermost: a total timeout that bounds the whole call so the processor can give up and
    /// requeue instead of holding a message; retries of transient faults (5xx, 408, timeouts, connection
    /// errors, never 429 or other 4xx) with jittered exponential backoff; a circuit breaker; a per-attempt timeout.
    /// </summary>
    private static IHttpClientBuilder AddLibromiResilience(this IHttpClientBuilder builder)
    {
        builder.AddResilienceHandler(PipelineName, (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<LibromiClientOptions>>().Value;
            pipeline
                .AddTimeout(options.TotalTimeout)
                .AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 2,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(200),
                    ShouldRetryAfterHeader = false,
                    ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                    OnRetry = args =>
                    {
                        args.Context.Properties.Set(IsRetryAttempt, true);
                        return ValueTask.CompletedTask;
                    },
                })
                // A retry is another request against the account's limit: it takes its own permit from the same
                // limiter the processor uses for the first attempt (which DeliveryGate already took), in the lane
                // the operation came from, so a bulk retry queues behind realtime like any bulk call.
                .AddRateLimiter(new RateLimiterStrategyOptions
                {
                    RateLimiter = args => args.Context.Properties.GetValue(IsRetryAttempt, false)
                        ? AcquireRetryPermitAsync(context.ServiceProvider.GetRequiredService<LaneRateLimiter>(), args.Context)
                        : ValueTask.FromResult<RateLimitLease>(FirstAttemptLease.Instance),
                })
                .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = 0.5,
                    MinimumThroughput = 10,
                    SamplingDuration = TimeSpan.FromSeconds(30),
                    BreakDuration = TimeSpan.FromSeconds(15),
                    ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                })
                .AddTimeout(options.AttemptTimeout);
        });
        return builder;
    }

    private static readonly ResiliencePropertyKey<bool> IsRetryAttempt = new("libromi.retry-attempt");

    private static ValueTask<RateLimitLease> AcquireRetryPermitAsync(LaneRateLimiter limiter, ResilienceContext context)
    {
        var lane = context.GetRequestMessage()?.Options.TryGetValue(LibromiClient.LaneOption, out var requested) == true ? requested : Lane.Realtime;
        return limiter.AcquireAsync(lane, context.CancellationToken);
    }

    /// <summary>The first attempt's permit is taken by the processor's delivery gate, before the call.</summary>
    private sealed class FirstAttemptLease : RateLimitLease
    {
        public static FirstAttemptLease Instance { get; } = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => (int)response.StatusCode is 408 or >= 500,
        _ => false,
    };

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}
