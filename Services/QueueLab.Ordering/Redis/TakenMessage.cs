using QueueLab.Ordering.Parsing;

namespace QueueLab.Ordering.Redis;

/// <summary>
/// A message moved into a processor's in-flight list: its exact bytes (which identify it in that list), their
/// fingerprint, what the parser found, the claim on its seq, and the id it claimed (<see cref="OrderingKeys.ClaimIdOf"/>:
/// the seq, or per key <c>key#seq</c>; null when there is none to claim).
/// </summary>
public sealed record TakenMessage(byte[] Raw, string Fingerprint, ParsedMessage Parsed, SeqClaim Claim, string? Id = null);
