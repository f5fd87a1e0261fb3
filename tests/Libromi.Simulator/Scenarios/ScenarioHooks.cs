using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Libromi.Simulator.Scenarios;

/// <summary>
/// How one scenario URL answers. <see cref="Script"/> answers the next POSTs in order (a status code each; 0 means
/// "answer normally"), then <see cref="Deleted"/> or success; <see cref="DelayMs"/> delays the first
/// <see cref="DelayCount"/> answers (0: every answer). The body is recorded before the delay, so a client that gives
/// up, or dies, has still been heard.
/// </summary>
public sealed record ScenarioBehaviour(
    [property: JsonPropertyName("script")] IReadOnlyList<int>? Script = null,
    [property: JsonPropertyName("delay_ms")] int DelayMs = 0,
    [property: JsonPropertyName("delay_count")] int DelayCount = 0,
    [property: JsonPropertyName("deleted")] bool Deleted = false,
    [property: JsonPropertyName("retry_after_seconds")] int RetryAfterSeconds = 1);

/// <summary>One POST a scenario URL received, and what it answered (null while it has not, or the caller went away).</summary>
public sealed record ScenarioPost(
    [property: JsonPropertyName("body")] JsonElement Body,
    [property: JsonPropertyName("received_at")] DateTimeOffset ReceivedAt,
    [property: JsonPropertyName("status")] int? Status,
    [property: JsonPropertyName("abandoned")] bool Abandoned);

/// <summary>What the inspection API shows of one scenario URL.</summary>
public sealed record ScenarioState(
    [property: JsonPropertyName("behaviour")] ScenarioBehaviour Behaviour,
    [property: JsonPropertyName("posts")] IReadOnlyList<ScenarioPost> Posts);

/// <summary>
/// Libromi webhook scenarios: any <c>/scenarios/{id}</c> exists (as a URL Libromi handed out) unless marked deleted.
/// Libromi documents the answer <c>{"status": "success"}</c>, and no signature, rate limit or retry.
/// </summary>
public sealed class ScenarioHooks
{
    private readonly ConcurrentDictionary<string, Hook> _hooks = new(StringComparer.Ordinal);

    private sealed class Hook
    {
        public readonly Lock Gate = new();
        public ScenarioBehaviour Behaviour = new();
        public int Scripted;
        public readonly List<ScenarioPost> Posts = [];
    }

    public void Configure(string id, ScenarioBehaviour behaviour)
    {
        var hook = _hooks.GetOrAdd(id, _ => new Hook());
        lock (hook.Gate)
        {
            hook.Behaviour = behaviour;
            hook.Scripted = 0;
        }
    }

    public ScenarioState State(string id)
    {
        var hook = _hooks.GetOrAdd(id, _ => new Hook());
        lock (hook.Gate)
        {
            return new ScenarioState(hook.Behaviour, [.. hook.Posts]);
        }
    }

    public void Reset() => _hooks.Clear();

    /// <summary>Records a POST and says how to answer it; <see cref="Answered"/> completes the record.</summary>
    public (int Index, int Status, TimeSpan Delay, ScenarioBehaviour Behaviour) Receive(string id, JsonElement body, DateTimeOffset now)
    {
        var hook = _hooks.GetOrAdd(id, _ => new Hook());
        lock (hook.Gate)
        {
            var behaviour = hook.Behaviour;
            var status = hook.Scripted < (behaviour.Script?.Count ?? 0) ? behaviour.Script![hook.Scripted++] : 0;
            if (status == 0)
            {
                status = behaviour.Deleted ? StatusCodes.Status404NotFound : StatusCodes.Status200OK;
            }
            hook.Posts.Add(new ScenarioPost(body.Clone(), now, null, false));
            var delayed = behaviour.DelayCount == 0 || hook.Posts.Count <= behaviour.DelayCount;
            return (hook.Posts.Count - 1, status, delayed ? TimeSpan.FromMilliseconds(behaviour.DelayMs) : TimeSpan.Zero, behaviour);
        }
    }

    public void Answered(string id, int index, int? status)
    {
        var hook = _hooks.GetOrAdd(id, _ => new Hook());
        lock (hook.Gate)
        {
            hook.Posts[index] = hook.Posts[index] with { Status = status, Abandoned = status is null };
        }
    }
}
