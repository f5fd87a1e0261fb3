namespace Libromi.Gateway.Queueing;

/// <summary>Why a drain run ended, and when the drain should run again if not on the next wake.</summary>
public sealed record DrainExit(DrainExitReason Reason, TimeSpan? ResumeIn)
{
    /// <summary>Both queues stayed empty: the next wake starts the drain again.</summary>
    public static DrainExit Idle { get; } = new(DrainExitReason.Idle, null);

    /// <summary>The run reached its longest duration with work left: the drain runs again at once.</summary>
    public static DrainExit HandOver { get; } = new(DrainExitReason.HandOver, TimeSpan.Zero);

    /// <summary>The host is stopping, or the drain was lost to another instance.</summary>
    public static DrainExit Stopped { get; } = new(DrainExitReason.Stopped, null);

    /// <summary>Another instance drains.</summary>
    public static DrainExit NotLeader { get; } = new(DrainExitReason.NotLeader, null);

    /// <summary>Nothing could be sent soon (a pause, an open circuit, a spent window): the drain runs again after <paramref name="resumeIn"/>.</summary>
    public static DrainExit Waiting(TimeSpan resumeIn) => new(DrainExitReason.Waiting, resumeIn);
}

public enum DrainExitReason
{
    Idle,
    HandOver,
    Waiting,
    Stopped,
    NotLeader,
}
