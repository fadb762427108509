namespace QueueLab.LoadSuites.Cli;

/// <summary>A command line the suites cannot run; the message says what to fix (null: just show the usage).</summary>
public sealed class UsageException(string? message) : Exception(message ?? "")
{
    public bool HasMessage => Message.Length > 0;
}
