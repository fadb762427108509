namespace QueueLab.Rabbit;

/// <summary>A message as the consumer sees it once its headers and body have been checked.</summary>
public sealed record LabMessage(string MessageId, StateTransition Transition, MessageBody Body, int RetryCount, int HeldCount);
