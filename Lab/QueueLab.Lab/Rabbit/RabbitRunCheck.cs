using QueueLab.Verification;

namespace QueueLab.Lab.Rabbit;

/// <summary>A run's pairs (message, queue) against the processing log and the final states.</summary>
/// <param name="Report">The expected pairs against the processings the log shows for them.</param>
/// <param name="Stored">Final states stored for the run's ids.</param>
/// <param name="Missing">Expected pairs with no final state.</param>
public sealed record RabbitRunCheck(VerificationReport<QueuedMessage> Report, int Stored, int Missing, IReadOnlyList<QueuedMessage> MissingPairs);
