using QueueLab.Ordering;

namespace QueueLab.Processor;

/// <summary>
/// This process's processor id: the Aspire instance id when there is one (so a key in Redis names its replica),
/// plus a random suffix, new on every start, so a restarted replica never inherits a dead one's keys.
/// </summary>
public sealed record ProcessorIdentity(string Id)
{
    public static ProcessorIdentity Create(IConfiguration configuration) =>
        new($"{InstanceName.From(configuration)}-{Guid.NewGuid().ToString("N")[..8]}");
}
