namespace QueueLab.Testing;

/// <summary>Waits for a condition by polling it until a deadline: tests never sleep a fixed time.</summary>
public static class Poll
{
    public static async Task UntilAsync(
        Func<Task<bool>> condition, TimeSpan timeout, string because, TimeSpan? interval = null,
        CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = interval ?? TimeSpan.FromMilliseconds(100);
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

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {because}.", last);
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string because, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, because, interval);

    /// <summary>Polls until <paramref name="probe"/> returns a value that satisfies <paramref name="accept"/> and returns it.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, TimeSpan timeout, string because)
    {
        T value = default!;
        await UntilAsync(async () => accept(value = await probe().ConfigureAwait(false)), timeout, because).ConfigureAwait(false);
        return value;
    }
}
