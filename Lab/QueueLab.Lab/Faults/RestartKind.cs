namespace QueueLab.Lab.Faults;

/// <summary>How a server is restarted.</summary>
public enum RestartKind
{
    /// <summary>Aspire's stop then start (the server gets SIGTERM and shuts down cleanly).</summary>
    Graceful,

    /// <summary>kill -9 of the server's process tree, then Aspire's start on the same data.</summary>
    Kill,
}
