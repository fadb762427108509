namespace QueueLab.Coordination.Tests;

/// <summary>The AppHost's resource names used here (kept as text: the AppHost is not referenced for its types).</summary>
public static class RabbitPipelineNames
{
    public const string Consumer = "consumer";
}

public static class CoordinationPipelineNames
{
    public const string Coordinator = "coordinator";
}
