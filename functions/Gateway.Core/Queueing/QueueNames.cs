namespace Libromi.Gateway.Queueing;

/// <summary>Queue names are part of the deployment contract (infra/ creates them; the Functions triggers bind them).</summary>
public static class QueueNames
{
    public const string Realtime = "operations-realtime";
    public const string Bulk = "operations-bulk";

    /// <summary>Wake messages that start a drain (<see cref="DrainWakeups"/>); the only queue the Functions app triggers on.</summary>
    public const string Wake = "operations-wake";

    /// <summary>The Functions host's backstop for messages that crashed the worker <c>maxDequeueCount</c> times.</summary>
    public static string PoisonOf(string queueName) => queueName + "-poison";
}
