using System.Collections.Concurrent;

namespace Libromi.Simulator.Access;

/// <summary>Libromi's two permission levels of a personal access token.</summary>
public enum TokenAccess
{
    Admin,
    ReadOnly,
}

/// <summary>The company's valid tokens; revocation and rotation change it at run time.</summary>
public sealed class TokenRegistry
{
    private readonly ConcurrentDictionary<string, TokenAccess> _tokens = new(StringComparer.Ordinal);
    private readonly KeyValuePair<string, TokenAccess>[] _configured;

    public TokenRegistry(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _configured =
        [
            .. options.ReadOnlyTokens.Select(token => KeyValuePair.Create(token, TokenAccess.ReadOnly)),
            // Admin last: a token listed in both lists gets the wider permission.
            .. options.AdminTokens.Select(token => KeyValuePair.Create(token, TokenAccess.Admin)),
        ];
        Reset();
    }

    /// <summary>The token's permission, or null when it is missing, unknown or revoked.</summary>
    public TokenAccess? Find(string? token) =>
        token is not null && _tokens.TryGetValue(token, out var access) ? access : null;

    /// <summary>Makes a token valid (rotation: the new token works from now on).</summary>
    public void Add(string token, TokenAccess access)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        _tokens[token] = access;
    }

    /// <summary>Revokes a token; false when it was not valid.</summary>
    public bool Revoke(string token) => _tokens.TryRemove(token, out _);

    /// <summary>Back to the configured tokens: run-time additions and revocations are forgotten.</summary>
    public void Reset()
    {
        _tokens.Clear();
        foreach (var (token, access) in _configured)
        {
            _tokens[token] = access;
        }
    }
}
