using QueueLab.Ordering.Parsing;

namespace QueueLab.Ordering.Redis;

/// <summary>
/// A message moved into a processor's in-flight list: its exact bytes (which identify it in that list), their
/// fingerprint, what the parser found, and the claim on its seq.
/// </summary>
public sealed record TakenMessage(byte[] Raw, string Fingerprint, ParsedMessage Parsed, SeqClaim Claim);
