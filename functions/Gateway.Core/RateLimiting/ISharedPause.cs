namespace Libromi.Gateway.RateLimiting;

/// <summary>Tells every instance that Libromi answered 429: nobody sends until the pause ends.</summary>
public interface ISharedPause
{
    Task PauseAsync(DateTimeOffset until, string reason, CancellationToken cancellationToken = default);
}

/// <summary>For <see cref="RateLimitScope.Instance"/>: the only instance already knows (its <c>SendingState</c>).</summary>
public sealed class InstancePause : ISharedPause
{
    public Task PauseAsync(DateTimeOffset until, string reason, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
