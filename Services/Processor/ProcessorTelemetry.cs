using System.Diagnostics;

namespace QueueLab.Processor;

/// <summary>The processor's ActivitySource and Meter share this name.</summary>
public static class ProcessorTelemetry
{
    public const string Name = "QueueLab.Processor";

    public static readonly ActivitySource Source = new(Name);
}
