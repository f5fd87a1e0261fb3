namespace Libromi.Gateway.Queueing;

/// <summary>Queue names are part of the deployment contract (infra/ creates them; the Functions triggers bind them).</summary>
public static class QueueNames
{
    public const string Realtime = "operations-realtime";
    public const string Bulk = "operations-bulk";

    /// <summary>Wake messages that start a drain (<see cref="DrainWakeups"/>); the only queue the Functions app triggers on.</summary>
    public const string Wake = "operations-wake";

    /// <summary>Pages of replay jobs still to do (<c>Replays.ReplayWorkQueue</c>); the Functions app triggers on it too.</summary>
    public const string ReplayJobs = "replay-jobs";

    /// <summary>The Functions host's backstop for messages that crashed the worker <c>maxDequeueCount</c> times.</summary>
    public static string PoisonOf(string queueName) => queueName + "-poison";
}
