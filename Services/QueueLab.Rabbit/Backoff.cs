namespace QueueLab.Rabbit;

/// <summary>Exponential backoff: <c>base x 2^(attempt-1)</c>, capped.</summary>
public static class Backoff
{
    public static TimeSpan For(int attempt, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ms = Math.Min(baseDelay.TotalMilliseconds * factor, maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }
}
