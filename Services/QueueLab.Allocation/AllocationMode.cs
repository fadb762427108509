namespace QueueLab.Allocation;

/// <summary>Which rule produced an allocation.</summary>
public enum AllocationMode
{
    /// <summary>No queues or no consumers: nothing to allocate.</summary>
    Empty,

    /// <summary>Consumers ≥ queues: every consumer serves exactly one queue, counts follow the priority shares.</summary>
    Proportional,

    /// <summary>Consumers &lt; queues: every queue has exactly one consumer, queues packed to balance total priority.</summary>
    Packed,
}
