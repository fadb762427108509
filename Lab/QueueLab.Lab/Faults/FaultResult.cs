namespace QueueLab.Lab.Faults;

/// <summary>What a fault did: which fault, on what, how long it took to apply (and recover, where it waits), and details.</summary>
public sealed record FaultResult(string Fault, string Target, TimeSpan Took, string Detail)
{
    public override string ToString() => $"{Fault} {Target}: {Detail} ({Took.TotalMilliseconds:0} ms)";
}
