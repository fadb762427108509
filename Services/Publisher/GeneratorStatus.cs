namespace QueueLab.Publisher;

public sealed record GeneratorStatus(bool Running, int Requested, int Sent, int Confirmed, int NotConfirmed, double ElapsedMs, double ConfirmedPerSecond);
