using System.Diagnostics;

namespace QueueLab.Sequencer;

/// <summary>The sequencer's ActivitySource and Meter share this name.</summary>
public static class SequencerTelemetry
{
    public const string Name = "QueueLab.Sequencer";

    public static readonly ActivitySource Source = new(Name);
}
