namespace QueueLab.LoadRunner;

/// <summary>What the runner does with an open-model invocation it could not start within the lateness tolerance.</summary>
public enum LatePolicy
{
    /// <summary>Start it anyway and count it as late; its latency still runs from its intended time.</summary>
    SendAnyway,

    /// <summary>Do not start it; count it as dropped with reason "late".</summary>
    Drop,
}
