using Libromi.Gateway.Libromi;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Secrets;

/// <summary>
/// Reads the Libromi token (<see cref="LibromiClientOptions.TokenSecretName"/>) from the secret source once and
/// caches it; tokens never expire, so the cache is only invalidated by Libromi rejecting the token.
/// </summary>
/// <remarks>
/// <para>
/// Reads are single-flight: every caller that needs a read while one is running joins it, so a storm of 401s
/// from many concurrent deliveries costs one vault read, and the read itself is not cancelled when the caller
/// that started it gives up.
/// </para>
/// <para>
/// Trade-off of <see cref="MinimumRefreshInterval"/>: when the store still holds the rejected token (revoked in
/// Libromi, not yet rotated in the vault), further rejections of that token within the interval return it without
/// reading again, so a revoked token is not hammered into the vault at the delivery rate. The price is latency:
/// a new version stored right after such a read is picked up at the first rejection once the interval has passed,
/// i.e. at most <see cref="MinimumRefreshInterval"/> plus the caller's retry delay later. The first rejection of a
/// token is never delayed, so an ordinary rotation (store the new version, then revoke the old one) is picked up at
/// once. A failed read counts like a read that found the rejected token: a vault that is down is not hammered either.
/// While no token has been loaded yet, <see cref="GetTokenAsync"/> reads on every call (single-flight still
/// applies); callers that cannot get a token requeue their work with their own backoff.
/// </para>
/// </remarks>
public sealed partial class LibromiTokenProvider : ILibromiTokenProvider
{
    /// <summary>Least time between two re-reads triggered by rejections of the same token.</summary>
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(10);

    private readonly ISecretSource _source;
    private readonly string _secretName;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    private readonly Lock _sync = new();
    private string? _cachedToken;
    private Task<string>? _inFlightRead;
    // Set when a rejection triggers a read; kept while that read finds the rejected token (or fails).
    private long? _lastRejectionReadAt;

    public LibromiTokenProvider(
        ISecretSource source,
        IOptions<LibromiClientOptions> options,
        TimeProvider timeProvider,
        ILogger<LibromiTokenProvider> logger)
    {
        _source = source;
        _secretName = options.Value.TokenSecretName;
        _timeProvider = timeProvider;
        _logger = logger;

        if (source.Kind == ConfigurationSecretSource.SourceKind)
        {
            LogLocalConfigurationToken(logger);
        }
    }

    public string Source => _source.Kind;

    public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        Task<string> read;
        lock (_sync)
        {
            if (_cachedToken is not null)
            {
                return ValueTask.FromResult(_cachedToken);
            }

            read = _inFlightRead ??= StartRead(previousToken: null);
        }

        return new ValueTask<string>(read.WaitAsync(cancellationToken));
    }

    public ValueTask<string> RefreshAfterRejectionAsync(string rejectedToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rejectedToken);

        Task<string> read;
        lock (_sync)
        {
            if (_inFlightRead is not null)
            {
                read = _inFlightRead;
            }
            else if (_cachedToken is not null && !string.Equals(_cachedToken, rejectedToken, StringComparison.Ordinal))
            {
                // Another caller already replaced the rejected token.
                return ValueTask.FromResult(_cachedToken);
            }
            else if (_cachedToken is not null && _lastRejectionReadAt is { } last
                && _timeProvider.GetElapsedTime(last) < MinimumRefreshInterval)
            {
                return ValueTask.FromResult(_cachedToken);
            }
            else
            {
                _lastRejectionReadAt = _timeProvider.GetTimestamp();
                read = _inFlightRead = StartRead(previousToken: rejectedToken);
            }
        }

        return new ValueTask<string>(read.WaitAsync(cancellationToken));
    }

    // Called under the lock. The read runs on its own, completing a shared task that callers wait on with their
    // own cancellation; the TaskCompletionSource keeps a synchronously completing source from publishing a
    // finished task after the in-flight slot was already cleared.
    private Task<string> StartRead(string? previousToken)
    {
        var completion = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = ReadAsync(completion, previousToken);
        return completion.Task;
    }

    private async Task ReadAsync(TaskCompletionSource<string> completion, string? previousToken)
    {
        await Task.Yield(); // leave the caller's lock before touching the source
        try
        {
            var token = await _source.GetSecretAsync(_secretName, CancellationToken.None).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(token))
            {
                throw new LibromiTokenNotConfiguredException(NotConfiguredMessage());
            }

            lock (_sync)
            {
                _cachedToken = token;
                _inFlightRead = null;
                if (previousToken is not null && !string.Equals(previousToken, token, StringComparison.Ordinal))
                {
                    // The interval only guards a store that still holds a rejected token; a fresh token gets a
                    // fresh chance, so its own first rejection reads at once.
                    _lastRejectionReadAt = null;
                }
            }

            if (previousToken is null)
            {
                LogTokenLoaded(_logger, _source.Kind, _secretName);
            }
            else if (string.Equals(previousToken, token, StringComparison.Ordinal))
            {
                LogRejectedTokenStillStored(_logger, _source.Kind, _secretName, MinimumRefreshInterval.TotalSeconds);
            }
            else
            {
                LogRejectedTokenReplaced(_logger, _source.Kind, _secretName);
            }

            completion.SetResult(token);
        }
        catch (Exception e)
        {
            lock (_sync)
            {
                _inFlightRead = null;
            }

            completion.SetException(e);
        }
    }

    private string NotConfiguredMessage() => _source.Kind == ConfigurationSecretSource.SourceKind
        ? $"No Libromi API token is configured. Set Libromi__ApiToken (local development only), "
            + $"or set KeyVault__VaultUri and store the token in Key Vault secret '{_secretName}' (Libromi__TokenSecretName)."
        : $"No Libromi API token found: the {_source.Kind} secret '{_secretName}' does not exist or is empty. "
            + "Store the token under that name, or set Libromi__TokenSecretName to the secret that holds it.";

    [LoggerMessage(EventId = 1, EventName = "LocalConfigurationToken", Level = LogLevel.Warning,
        Message = "The Libromi API token comes from configuration (Libromi__ApiToken): for local development only; set KeyVault__VaultUri anywhere else")]
    private static partial void LogLocalConfigurationToken(ILogger logger);

    [LoggerMessage(EventId = 2, EventName = "TokenLoaded", Level = LogLevel.Information,
        Message = "Loaded the Libromi API token from {Source} secret {SecretName}")]
    private static partial void LogTokenLoaded(ILogger logger, string source, string secretName);

    [LoggerMessage(EventId = 3, EventName = "RejectedTokenReplaced", Level = LogLevel.Information,
        Message = "Libromi rejected the API token; {Source} secret {SecretName} holds a new value, using it")]
    private static partial void LogRejectedTokenReplaced(ILogger logger, string source, string secretName);

    [LoggerMessage(EventId = 4, EventName = "RejectedTokenStillStored", Level = LogLevel.Warning,
        Message = "Libromi rejected the API token and {Source} secret {SecretName} still holds it; rotate the secret (re-read at most every {IntervalSeconds} s)")]
    private static partial void LogRejectedTokenStillStored(ILogger logger, string source, string secretName, double intervalSeconds);
}
