using Libromi.Simulator.Faults;

namespace Libromi.Simulator;

/// <summary>The simulator's log events; stable names so a test log can be searched.</summary>
internal static partial class SimulatorLog
{
    [LoggerMessage(EventId = 1, EventName = "DevelopmentDefaults", Level = LogLevel.Warning,
        Message = "No tokens or staff configured: accepting development token {AdminToken} (admin), {ReadOnlyToken} (read only) and staff {Staff}")]
    public static partial void DevelopmentDefaults(ILogger logger, string adminToken, string readOnlyToken, string staff);

    [LoggerMessage(EventId = 2, EventName = "Unauthenticated", Level = LogLevel.Information,
        Message = "Refused {Method} {Path} with 401: token missing or not valid")]
    public static partial void Unauthenticated(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 3, EventName = "RateLimited", Level = LogLevel.Information,
        Message = "Refused {Method} {Path} with 429 (injected: {Injected}), retry after {RetryAfterSeconds} s")]
    public static partial void RateLimited(ILogger logger, string method, string path, bool injected, int retryAfterSeconds);

    [LoggerMessage(EventId = 4, EventName = "ReadOnlyWrite", Level = LogLevel.Information,
        Message = "Refused {Method} {Path} with 403: read-only token")]
    public static partial void ReadOnlyWrite(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 5, EventName = "InjectedServerError", Level = LogLevel.Information,
        Message = "Injected a server error into {Method} {Path} (HTML body: {Html})")]
    public static partial void InjectedServerError(ILogger logger, string method, string path, bool html);

    [LoggerMessage(EventId = 6, EventName = "FaultsReplaced", Level = LogLevel.Information,
        Message = "Fault settings replaced: {Faults}")]
    public static partial void FaultsReplaced(ILogger logger, FaultSettings faults);

    // Tokens are fake, but the simulator still logs only their length so its logs look like the real thing should.
    [LoggerMessage(EventId = 7, EventName = "TokenAdded", Level = LogLevel.Information,
        Message = "Token of {Length} characters added (read only: {ReadOnly})")]
    public static partial void TokenAdded(ILogger logger, int length, bool readOnly);

    [LoggerMessage(EventId = 8, EventName = "TokenRevoked", Level = LogLevel.Information,
        Message = "Token of {Length} characters revoked")]
    public static partial void TokenRevoked(ILogger logger, int length);

    [LoggerMessage(EventId = 9, EventName = "Reset", Level = LogLevel.Information,
        Message = "Simulator reset: contacts, request log, faults, rate windows and tokens back to configuration")]
    public static partial void Reset(ILogger logger);
}
