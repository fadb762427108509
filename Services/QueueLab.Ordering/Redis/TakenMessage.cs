namespace QueueLab.Ordering.Redis;

/// <summary>A raw message moved into a processor's in-flight list, with the claim on its seq.</summary>
public sealed record TakenMessage(string Raw, SeqClaim Claim);
