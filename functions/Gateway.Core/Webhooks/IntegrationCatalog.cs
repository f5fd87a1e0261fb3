using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// The integrations currently in force. Construction reads and validates the file and throws
/// <see cref="IntegrationsFileException"/> when it is invalid, so a bad file stops start-up with every problem listed.
/// Afterwards the file is watched: a change is reloaded after a short debounce (editors write a file in several steps);
/// an invalid new version is logged and the last valid one stays in force, so a typo never takes webhooks down.
/// Thread-safe: readers see one whole version or the next.
/// </summary>
public sealed partial class IntegrationCatalog : IDisposable
{
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(500);

    private readonly string _filePath;
    private readonly string _fileName;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<IntegrationCatalog> _logger;
    private readonly TimeSpan _debounce;
    private readonly PhysicalFileProvider? _fileProvider;
    private readonly IDisposable _changeRegistration;
    private readonly Lock _timerLock = new();
    private ITimer? _debounceTimer;
    private volatile IReadOnlyDictionary<string, IntegrationDefinition> _integrations;

    /// <param name="filePath">The value of <c>Gateway__IntegrationsFile</c>.</param>
    /// <param name="watch">Produces a change token for the file; by default a <see cref="PhysicalFileProvider"/> watch. Tests pass their own.</param>
    public IntegrationCatalog(
        string filePath,
        TimeProvider timeProvider,
        ILogger<IntegrationCatalog> logger,
        Func<IChangeToken>? watch = null,
        TimeSpan? debounce = null)
    {
        _filePath = Path.GetFullPath(filePath);
        _fileName = Path.GetFileName(_filePath);
        _timeProvider = timeProvider;
        _logger = logger;
        _debounce = debounce ?? DefaultDebounce;

        var outcome = ReadFile();
        if (outcome.Errors is { } errors)
        {
            throw new IntegrationsFileException(_fileName, errors);
        }
        _integrations = outcome.Integrations!;
        LogLoaded(_logger, _fileName, _integrations.Count);

        if (watch is null)
        {
            _fileProvider = new PhysicalFileProvider(Path.GetDirectoryName(_filePath)!);
            watch = () => _fileProvider.Watch(_fileName);
        }
        _changeRegistration = ChangeToken.OnChange(watch, ScheduleReload);
    }

    public IReadOnlyCollection<string> Names => [.. _integrations.Keys];

    public string FileName => _fileName;

    /// <summary>The integration named in the route, matched ignoring case.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out IntegrationDefinition? integration) =>
        _integrations.TryGetValue(name, out integration);

    /// <summary>Reads the file now. On success the new version is in force; otherwise the errors are logged and returned.</summary>
    public IReadOnlyList<IntegrationsFileError> Reload()
    {
        var outcome = ReadFile();
        if (outcome.Errors is { } errors)
        {
            LogReloadRejected(_logger, _fileName, IntegrationsFileException.Describe(_fileName, errors));
            return errors;
        }
        _integrations = outcome.Integrations!;
        LogLoaded(_logger, _fileName, _integrations.Count);
        return [];
    }

    private void ScheduleReload()
    {
        lock (_timerLock)
        {
            if (_debounceTimer is null)
            {
                _debounceTimer = _timeProvider.CreateTimer(_ => Reload(), null, _debounce, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _debounceTimer.Change(_debounce, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private (IReadOnlyDictionary<string, IntegrationDefinition>? Integrations, IReadOnlyList<IntegrationsFileError>? Errors) ReadFile() =>
        IntegrationsFile.TryLoad(_filePath, out var integrations, out var errors) ? (integrations, null) : (null, errors);

    public void Dispose()
    {
        _changeRegistration.Dispose();
        lock (_timerLock)
        {
            _debounceTimer?.Dispose();
        }
        _fileProvider?.Dispose();
    }

    [LoggerMessage(EventId = 5100, EventName = "IntegrationsLoaded", Level = LogLevel.Information,
        Message = "Loaded {IntegrationCount} integrations from {FileName}")]
    private static partial void LogLoaded(ILogger logger, string fileName, int integrationCount);

    [LoggerMessage(EventId = 5101, EventName = "IntegrationsReloadRejected", Level = LogLevel.Error,
        Message = "Kept the previous integrations: the new version of {FileName} is invalid. {Problems}")]
    private static partial void LogReloadRejected(ILogger logger, string fileName, string problems);
}
