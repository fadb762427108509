namespace QueueLab.Rabbit;

/// <summary>
/// The JSON body of a pipeline A message. <see cref="FailTimes"/> makes the consumer's simulated work fail that many
/// times before it succeeds (to exercise retries and the dead-letter queue); 0 for real traffic.
/// </summary>
public sealed record MessageBody(string Payload, int FailTimes = 0, long CreatedAtUnixMs = 0);
