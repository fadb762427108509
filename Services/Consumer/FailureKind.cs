namespace QueueLab.Consumer;

/// <summary>How the consumer answers an exception while it handles a delivery (<see cref="FailureKinds.Classify"/>).</summary>
public enum FailureKind
{
    /// <summary>
    /// A server or the network is away or busy (a lost connection, a timeout, a server shutting down, out of
    /// connections, loading, failing over). Not the message's fault: the consumer keeps the delivery and tries again,
    /// with backoff, for as long as it takes; it counts no attempt and loses nothing.
    /// </summary>
    Transient,

    /// <summary>
    /// A server refused the message's data (PostgreSQL classes 22 data exception, 23 integrity constraint other than
    /// the unique violation, 54 program limit; Redis WRONGTYPE). No retry can heal it: dead-lettered at once.
    /// </summary>
    DataError,

    /// <summary>Anything else (the work failed, a bug, an unexpected server error): retried through the retry queues, a
    /// bounded number of times, then dead-lettered.</summary>
    Failure,
}
