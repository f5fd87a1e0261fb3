namespace Libromi.Gateway.EndToEnd.Fixtures;

/// <summary>Polls a condition that real parts (queues, HTTP) make true asynchronously.</summary>
public static class Eventually
{
    /// <param name="describe">What the failure message says about the last value (its ToString otherwise).</param>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null, Func<T, string>? describe = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}; last value: {(describe is null ? value?.ToString() : describe(value))}");
            }
            await Task.Delay(50);
        }
    }
}
