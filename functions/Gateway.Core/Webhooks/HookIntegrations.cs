using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.Webhooks;

/// <summary>
/// The integrations the hook route serves: the <see cref="IntegrationCatalog"/> of <c>Gateway__IntegrationsFile</c>
/// (validated when this is constructed, then hot-reloaded), or none when no file is configured, in which case every
/// hook is an unknown integration. Constructed at start by <see cref="HookIntegrationsLoader"/>, so an invalid file
/// stops the host with every problem listed.
/// </summary>
public sealed partial class HookIntegrations : IDisposable
{
    private readonly IntegrationCatalog? _catalog;

    /// <param name="filePath">An absolute path, or null when no integrations file is configured.</param>
    public HookIntegrations(string? filePath, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        if (filePath is null)
        {
            LogNoFile(loggerFactory.CreateLogger<HookIntegrations>());
            return;
        }
        _catalog = new IntegrationCatalog(filePath, timeProvider, loggerFactory.CreateLogger<IntegrationCatalog>());
    }

    /// <summary>The integrations file's name, for messages (null without a file).</summary>
    public string? FileName => _catalog?.FileName;

    /// <summary>The names of the configured integrations (none without a file).</summary>
    public IReadOnlyCollection<string> Names => _catalog?.Names ?? [];

    public bool TryGet(string name, [NotNullWhen(true)] out IntegrationDefinition? integration)
    {
        integration = null;
        return _catalog is not null && _catalog.TryGet(name, out integration);
    }

    /// <summary>
    /// The file's absolute path: a relative <paramref name="configured"/> path resolves against
    /// <paramref name="contentRoot"/> (the host's content root), else against <see cref="AppContext.BaseDirectory"/>.
    /// </summary>
    public static string? ResolvePath(string? configured, string? contentRoot) =>
        string.IsNullOrWhiteSpace(configured)
            ? null
            : Path.GetFullPath(configured.Trim(), string.IsNullOrEmpty(contentRoot) ? AppContext.BaseDirectory : contentRoot);

    public void Dispose() => _catalog?.Dispose();

    [LoggerMessage(EventId = 5110, EventName = "NoIntegrationsFile", Level = LogLevel.Warning,
        Message = "Gateway__IntegrationsFile is not set: every webhook delivery to /api/hooks/ answers 404 (unknown integration)")]
    private static partial void LogNoFile(ILogger logger);
}
