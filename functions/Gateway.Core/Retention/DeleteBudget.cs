namespace Libromi.Gateway.Retention;

/// <summary>How many more entities this sweep may delete (<see cref="RetentionOptions.MaxDeletesPerSweep"/>), shared by both tables.</summary>
internal sealed class DeleteBudget(int limit)
{
    public int Remaining { get; private set; } = limit;

    public bool IsSpent => Remaining <= 0;

    public bool TryTake()
    {
        if (Remaining <= 0)
        {
            return false;
        }
        Remaining--;
        return true;
    }
}
