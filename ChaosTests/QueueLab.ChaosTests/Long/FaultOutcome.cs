using QueueLab.Lab.Measures;

namespace QueueLab.ChaosTests.Long;

/// <summary>What one fault of an iteration did: applied (with the output's recovery from it), or not (and why: its
/// target was down because of the other fault, say).</summary>
public sealed record FaultOutcome(string Name, string Shape, bool Applied, string Detail, RecoveryStats? Recovery);
