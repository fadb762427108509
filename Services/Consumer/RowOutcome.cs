using System.Runtime.ExceptionServices;

namespace QueueLab.Consumer;

/// <summary>One row's answer from a batched statement: its value, or the error that row met on its own.</summary>
internal readonly record struct RowOutcome<T>(T Value, Exception? Error)
{
    public T ValueOrThrow()
    {
        if (Error is not null)
        {
            ExceptionDispatchInfo.Throw(Error);
        }

        return Value;
    }
}
