namespace Libromi.Gateway.Libromi;

/// <summary>Supplies the Libromi API token. Implementations are thread-safe and cache the token.</summary>
public interface ILibromiTokenProvider
{
    /// <summary>Where the token comes from, for health reports ("key-vault", "configuration"). Never the token.</summary>
    string Source { get; }

    /// <summary>The current token, from cache when possible.</summary>
    ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Called when Libromi rejected <paramref name="rejectedToken"/> (401/403). Re-reads the secret store
    /// unless another caller already replaced that token, so a storm of rejections causes one read.
    /// Returns the token to use next (possibly the same one, when the store still holds it).
    /// </summary>
    ValueTask<string> RefreshAfterRejectionAsync(string rejectedToken, CancellationToken cancellationToken = default);
}
