using QueueLab.Ordering;

namespace QueueLab.Sequencer;

/// <summary>This process's lock token: its replica name plus a random suffix, new on every start.</summary>
public sealed record SequencerIdentity(string Token)
{
    public static SequencerIdentity Create(IConfiguration configuration) =>
        new($"{InstanceName.From(configuration)}:{Guid.NewGuid().ToString("N")[..8]}");
}
