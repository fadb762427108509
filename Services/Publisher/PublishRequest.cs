namespace QueueLab.Publisher;

/// <summary>
/// One message to publish. <see cref="MessageId"/> is generated when absent (send the same id twice to make a
/// duplicate); <see cref="CurrentState"/> defaults to NEW.
/// </summary>
public sealed record PublishRequest(
    string Exchange, string RoutingKey, string? MessageId = null, string? CurrentState = null, string Payload = "", int FailTimes = 0);
