using System.Diagnostics;

namespace QueueLab.Lab;

/// <summary>Waits for a condition by polling it until a deadline: nothing in the lab layer or its tests sleeps a fixed time.</summary>
public static class Poll
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="condition"/> every <paramref name="interval"/> until it holds, or throws a
    /// <see cref="TimeoutException"/> that says what was awaited (and the last error the condition threw, if any).</summary>
    public static async Task UntilAsync(
        Func<Task<bool>> condition, TimeSpan timeout, string because, TimeSpan? interval = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        var delay = interval ?? DefaultInterval;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }

                last = null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                last = ex;
            }

            if (clock.Elapsed >= timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {because}.", last);
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string because, TimeSpan? interval = null, CancellationToken cancellationToken = default) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, because, interval, cancellationToken);

    /// <summary>Polls until <paramref name="probe"/> returns a value that satisfies <paramref name="accept"/> and returns it.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, TimeSpan timeout, string because,
        TimeSpan? interval = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(probe);
        T value = default!;
        await UntilAsync(async () => accept(value = await probe().ConfigureAwait(false)), timeout, because, interval, cancellationToken).ConfigureAwait(false);
        return value;
    }
}
