namespace QueueLab.Coordination;

/// <summary>Why a watcher asks its reader to read the state again.</summary>
public enum ChangeTrigger
{
    /// <summary>The watch is established: read the starting state.</summary>
    Initial,

    /// <summary>A watched key changed.</summary>
    Changed,

    /// <summary>The watch was re-established after etcd failed or restarted: events may have been missed.</summary>
    Reconnected,

    /// <summary>The periodic re-read, so a missed event cannot stick.</summary>
    Reconcile,
}
